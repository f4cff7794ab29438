using Isg.Actors.Catalog;

namespace Isg.Actors.Healing;

/// <summary>
/// Health from the catalogue and the recorded scrub findings (no data is read): protection groups healthy,
/// degraded (some shards bad, still rebuildable) or lost; referenced blocks in no stripe (unprotected, as
/// <see cref="CatalogReader.CountUnprotectedBlocks"/> counts them), whose degraded and lost counts cover blocks outside
/// stripes; per-backend shard counts; the recorded faults; the last finished pass.
/// </summary>
public sealed record HealthSummary(
    HealthState State,
    long Stripes,
    long StripesHealthy,
    long StripesDegraded,
    long StripesLost,
    long Blocks,
    long UnprotectedBlocks,
    long BlocksDegraded,
    long BlocksLost,
    IReadOnlyList<BackendHealth> Backends,
    IReadOnlyList<ShardFault> Faults,
    ScrubPassSummary? LastPass)
{
    /// <summary>Reads the summary in one snapshot of <paramref name="catalog"/>. Scans blocks and chunks.</summary>
    public static HealthSummary Read(CatalogDatabase catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        using var reader = catalog.CreateReader();
        using var snapshot = reader.BeginSnapshot();
        var blocks = reader.GetBlockHealth();
        var unprotected = reader.CountUnprotectedBlocks();
        var stripes = reader.GetStripeHealth();
        var backends = reader.GetBackendShards().Select(b => new BackendHealth(b.Backend, b.Shards, b.Bytes, b.Bad)).ToList();
        var faults = reader.GetShardFaults();
        var lastPass = ScrubPassSummary.TryParse(reader.GetConfig(CatalogWriter.LastPassKey));
        var state = blocks.Lost + stripes.Lost > 0 ? HealthState.Lost
            : blocks.Degraded + stripes.Degraded > 0 ? HealthState.Degraded
            : HealthState.Healthy;
        return new HealthSummary(state, stripes.Stripes, stripes.Healthy, stripes.Degraded, stripes.Lost, blocks.Blocks, unprotected, blocks.Degraded, blocks.Lost, backends, faults, lastPass);
    }
}

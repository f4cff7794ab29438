using Isg.Actors.Healing;

namespace Isg.Actors.Hosting;

/// <summary>
/// Tuning of the node's actor tree. <see cref="Workers"/> = encoder pool size (0: one per core);
/// <see cref="InFlightBytes"/> bounds the chunk bytes between reader and store (memory stays bounded);
/// <see cref="Healer"/>: how the healer runs (default: only when asked, as in CLI processes); <see cref="Network"/>:
/// the peers, discovery, sync and swarm actors (default: none, as in CLI processes).
/// </summary>
public sealed record StorageNodeOptions(int Workers = 0, long InFlightBytes = 48L << 20, HealerOptions? Healer = null, NodeNetworkOptions? Network = null)
{
    /// <summary>The effective pool size.</summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Math.Max(1, Environment.ProcessorCount);
}

namespace Isg.Actors.Catalog;

/// <summary>
/// What a stretch of a scrub pass established, written in one transaction: shards that verified (stamped
/// <c>verified_at</c>, any fault cleared), shards found bad (faults recorded), shards repaired (stamped, fault
/// cleared), and the pass's position (<see cref="Cursor"/>: null leaves it, an empty string clears it).
/// <see cref="LastPass"/>, when set, replaces the stored summary of the last finished pass;
/// <see cref="ClearRepairRequest"/> removes a pending repair request (<see cref="CatalogWriter.RepairRequestKey"/>).
/// <see cref="Stripes"/> are new stripes over blocks that were unprotected (their parity durable), recorded as a commit would.
/// </summary>
public sealed record ScrubRecord(
    IReadOnlyList<ShardAddress> Verified,
    IReadOnlyList<ShardFault> Faults,
    IReadOnlyList<ShardAddress> Repaired,
    string? Cursor,
    string? LastPass = null,
    bool ClearRepairRequest = false)
{
    /// <summary>New stripes over already stored, unprotected blocks; recorded like <see cref="CommitFiles.Stripes"/>.</summary>
    public IReadOnlyList<SealedStripe> Stripes { get; init; } = [];

    /// <summary>Also rewrite every stored leaf hash that is not its entry's (<see cref="CatalogWriter.RewriteLeafHashes"/>).</summary>
    public bool RewriteLeafHashes { get; init; }
}

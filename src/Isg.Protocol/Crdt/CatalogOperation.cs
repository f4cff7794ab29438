namespace Isg.Protocol.Crdt;

/// <summary>
/// One entry of a device's operation log: a write of <paramref name="Path"/>'s multi-value register.
/// <paramref name="Version"/> is null for a delete (a tombstone). The operation supersedes exactly the operations
/// in <paramref name="Supersedes"/>, those on the same path its device had seen when it made it; operations that
/// neither supersedes are concurrent, and all of them survive (DESIGN.md §5).
/// </summary>
public sealed record CatalogOperation(OperationId Id, HlcTimestamp Clock, string Path, PathVersion? Version, IReadOnlyList<OperationId> Supersedes)
{
    /// <summary>True for a delete.</summary>
    public bool IsTombstone => Version is null;

    /// <summary>
    /// The order in which concurrent versions compete for the path's name: the later hybrid logical clock wins, the
    /// operation id breaks exact ties, so every device picks the same winner.
    /// </summary>
    public static int CompareByClock(CatalogOperation left, CatalogOperation right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var byClock = left.Clock.CompareTo(right.Clock);
        return byClock != 0 ? byClock : left.Id.CompareTo(right.Id);
    }
}

namespace Isg.Actors.Catalog;

/// <summary>
/// Where stored bytes go beyond the live files' blocks: <paramref name="Stripes"/> and their
/// <paramref name="ParityShards"/> (<paramref name="ParityBytes"/>), referenced blocks in no stripe
/// (<paramref name="UnprotectedBlocks"/>), blocks only snapshots keep (<paramref name="SnapshotOnlyBlocks"/>,
/// sealed <paramref name="SnapshotOnlyBytes"/>), and blocks nothing references any more, whose space `isg gc`
/// reclaims (<paramref name="ReclaimableBlocks"/>, sealed <paramref name="ReclaimableBytes"/>).
/// </summary>
public sealed record StorageUse(
    long Stripes,
    long ParityShards,
    long ParityBytes,
    long UnprotectedBlocks,
    long SnapshotOnlyBlocks,
    long SnapshotOnlyBytes,
    long ReclaimableBlocks,
    long ReclaimableBytes);

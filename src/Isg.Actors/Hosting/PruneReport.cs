using Isg.Actors.Catalog;

namespace Isg.Actors.Hosting;

/// <summary>
/// What a snapshot prune kept and removed (newest first); with <paramref name="DryRun"/>, what it would remove.
/// The released blocks (no file or snapshot references them) wait for garbage collection.
/// </summary>
public sealed record PruneReport(IReadOnlyList<SnapshotInfo> Kept, IReadOnlyList<SnapshotInfo> Removed, long BlocksReleased, long BytesReleased, bool DryRun);

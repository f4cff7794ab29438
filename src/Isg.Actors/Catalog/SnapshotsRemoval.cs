namespace Isg.Actors.Catalog;

/// <summary>
/// What deleting snapshots did: the snapshots removed, and the blocks (and their plaintext bytes) no file or
/// snapshot references any more, left at refcount 0 for garbage collection.
/// </summary>
public sealed record SnapshotsRemoval(IReadOnlyList<SnapshotInfo> Deleted, long BlocksReleased, long BytesReleased);

using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// One snapshot: <paramref name="Root"/> is the Merkle root over its entries sorted by path
/// (<see cref="Isg.Protocol.Catalogs.CatalogLeaf"/> leaves); <paramref name="Parent"/> is the snapshot that was
/// newest when it was made (null for the first, or after its ancestors were all pruned). Totals count entries,
/// the listed size of regular files, and distinct blocks.
/// </summary>
public sealed record SnapshotInfo(
    long Id,
    string Name,
    Hash256 Root,
    long? Parent,
    DateTimeOffset CreatedAt,
    long FileCount,
    long TotalSize,
    long BlockCount);

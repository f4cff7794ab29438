using Isg.Protocol.Hashing;

namespace Isg.Actors.GarbageCollection;

/// <summary>
/// A block row as garbage collection sees it: its references (files and snapshots), its sealed size in bytes, the
/// stripe it is a data shard of (null when unstriped) and every object that stores it.
/// </summary>
public sealed record GcBlock(BlockId Id, long Refcount, long StoredSize, long? StripeId, IReadOnlyList<GcObject> Objects)
{
    /// <summary>True when no file or snapshot references the block.</summary>
    public bool IsDead => Refcount == 0;
}

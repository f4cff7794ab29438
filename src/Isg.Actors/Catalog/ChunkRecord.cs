using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// One stored chunk row as the healer walks them: the block it holds (for a parity shard, the SHA-256 of the shard
/// bytes), where, its stored size in bytes (a parity shard: the stripe's shard size), when a scrub last verified it
/// (null: never), and its stripe and index there (null and -1 when the block is in no stripe).
/// </summary>
public sealed record ChunkRecord(BlockId BlockId, ShardAddress Address, int StoredSize, DateTimeOffset? VerifiedAt,
    bool IsParity = false, long? StripeId = null, int ShardIndex = -1);

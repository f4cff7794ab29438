using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// One stored chunk row as the healer walks them: the block it holds, where, its stored (sealed) size in bytes,
/// and when a scrub last verified it (null: never).
/// </summary>
public sealed record ChunkRecord(BlockId BlockId, ShardAddress Address, int StoredSize, DateTimeOffset? VerifiedAt);

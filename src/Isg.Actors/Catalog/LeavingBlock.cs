using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// A shard whose only copy is on a backend being removed: a data block (<paramref name="IsParity"/> false) or a parity
/// shard (its id is the SHA-256 of its bytes), its object name there, its stripe position (if striped), and whether the
/// stripe can rebuild it from shards on other backends (if not, that backend holds the only copy).
/// </summary>
public sealed record LeavingBlock(BlockId Id, string ObjectName, long? StripeId, int? StripeIndex, bool Rebuildable, bool IsParity = false);

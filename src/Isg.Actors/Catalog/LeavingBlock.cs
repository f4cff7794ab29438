using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// A block whose only data copy is on a backend being removed: its object name there, its stripe position (if
/// striped), and whether the stripe can rebuild it from shards on other backends (if not, that backend holds the only copy).
/// </summary>
public sealed record LeavingBlock(BlockId Id, string ObjectName, long? StripeId, int? StripeIndex, bool Rebuildable);

using Isg.Protocol.Hashing;

namespace Isg.Actors.Striping;

/// <summary>
/// A stored shard found missing or damaged while reading: block or parity <paramref name="Id"/> (shard
/// <paramref name="Index"/> of stripe <paramref name="StripeId"/>, both -1 when it is in none) as
/// <paramref name="ObjectName"/> on <paramref name="Backend"/>. For the healer to repair.
/// </summary>
public sealed record ShardDamage(BlockId Id, long StripeId, int Index, string Backend, string ObjectName, string Reason);

using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// One parity shard of a stripe as stored: <paramref name="Hash"/> is the SHA-256 of its bytes (its chunk id),
/// <paramref name="Index"/> is its shard index (k..k+m-1), and it lives as <paramref name="ObjectName"/> on
/// <paramref name="Backend"/>.
/// </summary>
public sealed record ParityShard(BlockId Hash, int Index, string Backend, string ObjectName);

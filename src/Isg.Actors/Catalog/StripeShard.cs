using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>
/// One shard of a stripe: data (a block, <paramref name="Id"/> its block id, <paramref name="StoredSize"/> its sealed
/// size) or parity (<paramref name="Id"/> the SHA-256 of its bytes, stored size = the stripe's shard size), with
/// every place it is stored as (backend, object name).
/// </summary>
public sealed record StripeShard(int Index, BlockId Id, bool IsParity, int StoredSize, IReadOnlyList<(string Backend, string ObjectName)> Locations);

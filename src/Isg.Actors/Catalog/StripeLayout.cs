namespace Isg.Actors.Catalog;

/// <summary>
/// A stripe as the catalogue records it: k data + m parity shards of <paramref name="ShardSize"/> bytes each
/// (data shards zero-padded). <paramref name="Shards"/> holds the shards the catalogue knows, by index; a shard
/// that has no row is absent from it.
/// </summary>
public sealed record StripeLayout(long Id, int K, int M, int ShardSize, IReadOnlyList<StripeShard> Shards);

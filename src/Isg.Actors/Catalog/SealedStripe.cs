namespace Isg.Actors.Catalog;

/// <summary>
/// A stripe whose data and parity shards are all stored: <paramref name="DataBlocks"/> are the k data blocks in
/// shard order (index 0..k-1), <paramref name="Parity"/> the m parity shards, computed over the sealed data
/// shards zero-padded to <paramref name="ShardSize"/> bytes.
/// </summary>
public sealed record SealedStripe(int K, int M, int ShardSize, IReadOnlyList<Isg.Protocol.Hashing.BlockId> DataBlocks, IReadOnlyList<ParityShard> Parity);

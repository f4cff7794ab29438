namespace Isg.Actors.Striping;

/// <summary>
/// Which backend each shard of a stripe goes to: over n backends in a stable order (by name), data shard i of the
/// job's s-th stripe goes to backend (s + i) mod n and parity shard j to (s + k + j) mod n. No two shards of a
/// stripe share a backend when n ≥ k + m; otherwise every backend gets ⌈(k+m)/n⌉ or ⌊(k+m)/n⌋ of them, and the
/// rotation by s spreads the extra ones over stripes.
/// </summary>
public static class ShardPlacement
{
    /// <summary>The backend index (0..<paramref name="backendCount"/>-1) of shard <paramref name="shardIndex"/> (0..k+m-1) of stripe <paramref name="stripe"/>.</summary>
    public static int BackendFor(long stripe, int shardIndex, int backendCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stripe);
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backendCount);
        return (int)((stripe + shardIndex) % backendCount);
    }
}

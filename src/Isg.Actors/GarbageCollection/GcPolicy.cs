namespace Isg.Actors.GarbageCollection;

/// <summary>
/// How the planner treats stripes with dead members. A stripe whose dead data bytes reach
/// <paramref name="RepackThreshold"/> of its data bytes (0 &lt; threshold ≤ 1) is repacked. With
/// <paramref name="RepackSmall"/>, stripes of fewer than half of <paramref name="PolicyDataShards"/> data shards are
/// merged into full ones when there are at least two of them and merging frees at least half the bytes it writes
/// (new stripes carry <paramref name="PolicyParityShards"/> parity shards).
/// </summary>
public sealed record GcPolicy(double RepackThreshold = 0.5, int PolicyDataShards = 10, bool RepackSmall = true, int PolicyParityShards = 2)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a threshold outside (0, 1] or a non-positive k or m.</summary>
    public void Validate()
    {
        if (!(RepackThreshold > 0 && RepackThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RepackThreshold), RepackThreshold, "the repack threshold is a fraction in (0, 1]");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PolicyDataShards);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PolicyParityShards);
    }

    /// <summary>Whether a stripe of <paramref name="k"/> data shards counts as undersized.</summary>
    public bool IsUndersized(int k) => 2 * k < PolicyDataShards;
}

using System.Globalization;

namespace Isg.Actors.Striping;

/// <summary>
/// How new blocks are protected: none, or stripes of k data + m parity shards. Parsed from the repository
/// setting "redundancy": a percentage (0, 5, 10, 20, 50) or an explicit "K+M" with 1 ≤ K ≤ 64, 1 ≤ M ≤ 32.
/// </summary>
public readonly record struct RedundancyPolicy
{
    /// <summary>Largest k accepted.</summary>
    public const int MaxDataShards = 64;

    /// <summary>Largest m accepted.</summary>
    public const int MaxParityShards = 32;

    private RedundancyPolicy(int dataShards, int parityShards)
    {
        DataShards = dataShards;
        ParityShards = parityShards;
    }

    /// <summary>No parity: blocks are stored once.</summary>
    public static RedundancyPolicy None => default;

    /// <summary>The default for new repositories: 20 %, i.e. 10+2.</summary>
    public static RedundancyPolicy Default => new(10, 2);

    /// <summary>k: data shards per stripe (0 when <see cref="IsNone"/>).</summary>
    public int DataShards { get; }

    /// <summary>m: parity shards per stripe (0 when <see cref="IsNone"/>).</summary>
    public int ParityShards { get; }

    /// <summary>True when blocks get no parity.</summary>
    public bool IsNone => ParityShards == 0;

    /// <summary>A k+m policy; throws <see cref="ArgumentOutOfRangeException"/> outside 1..64 and 1..32.</summary>
    public static RedundancyPolicy Of(int dataShards, int parityShards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dataShards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataShards, MaxDataShards);
        ArgumentOutOfRangeException.ThrowIfLessThan(parityShards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parityShards, MaxParityShards);
        return new RedundancyPolicy(dataShards, parityShards);
    }

    /// <summary>Parses a setting value; false (with a reason) for anything else.</summary>
    public static bool TryParse(string? text, out RedundancyPolicy policy, out string error)
    {
        policy = None;
        error = string.Empty;
        var value = (text ?? string.Empty).Trim();
        var plus = value.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            var percent = value.EndsWith('%') ? value[..^1].TrimEnd() : value;
            switch (percent)
            {
                case "0":
                case "none":
                    return true;
                case "5":
                    policy = new RedundancyPolicy(20, 1);
                    return true;
                case "10":
                    policy = new RedundancyPolicy(10, 1);
                    return true;
                case "20":
                    policy = new RedundancyPolicy(10, 2);
                    return true;
                case "50":
                    policy = new RedundancyPolicy(4, 2);
                    return true;
                default:
                    error = $"redundancy must be 0, 5, 10, 20, 50 (percent) or K+M, not '{text}'";
                    return false;
            }
        }

        if (!int.TryParse(value.AsSpan(0, plus).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            || !int.TryParse(value.AsSpan(plus + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            error = $"redundancy K+M needs two whole numbers, not '{text}'";
            return false;
        }

        if (k is < 1 or > MaxDataShards || m is < 1 or > MaxParityShards)
        {
            error = $"redundancy {k}+{m}: K must be 1..{MaxDataShards} and M 1..{MaxParityShards}";
            return false;
        }

        policy = new RedundancyPolicy(k, m);
        return true;
    }

    /// <summary>Parses a setting value; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static RedundancyPolicy Parse(string text) =>
        TryParse(text, out var policy, out var error) ? policy : throw new FormatException(error);

    /// <summary>"none" or "K+M".</summary>
    public override string ToString() =>
        IsNone ? "none" : string.Create(CultureInfo.InvariantCulture, $"{DataShards}+{ParityShards}");
}

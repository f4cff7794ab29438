namespace Isg.Actors.Healing;

/// <summary>
/// The outcome of a scrub pass: shards and stored bytes verified, the shards found bad, those repaired, the
/// blocks or stripes lost (no intact source left; their files are named), and shards that could not be read
/// for another reason (a backend not configured or unreachable: neither good nor bad).
/// </summary>
public sealed record ScrubReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    long Shards,
    long Bytes,
    IReadOnlyList<ScrubFinding> Bad,
    IReadOnlyList<ScrubFinding> Repaired,
    IReadOnlyList<ScrubFinding> Lost,
    int Unreachable)
{
    /// <summary>True when every shard verified.</summary>
    public bool Healthy => Bad.Count == 0 && Unreachable == 0;

    /// <summary>Bad shards that were neither repaired nor part of a loss (a repair that failed for another reason).</summary>
    public int Unrepaired => Bad.Count - Repaired.Count - Bad.Count(b => Lost.Any(l => l.Block == b.Block) && !Repaired.Any(r => r.Address == b.Address));

    /// <summary>The files named by <see cref="Lost"/>, sorted, each once.</summary>
    public IReadOnlyList<string> LostFiles => Lost.SelectMany(l => l.Files).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}

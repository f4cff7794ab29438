namespace Isg.Actors.Healing;

/// <summary>
/// The outcome of a scrub pass: shards and stored bytes verified, the shards found bad, those repaired, the
/// blocks or stripes lost (no intact source left; their files are named), bad shards whose repair failed for
/// another reason (<see cref="Unrepaired"/>), and shards that could not be read at all (a backend not configured
/// or unreachable: neither good nor bad). <see cref="Protected"/> counts the unprotected blocks a repair pass put into
/// new stripes.
/// </summary>
public sealed record ScrubReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    long Shards,
    long Bytes,
    IReadOnlyList<ScrubFinding> Bad,
    IReadOnlyList<ScrubFinding> Repaired,
    IReadOnlyList<ScrubFinding> Lost,
    int Unrepaired,
    int Unreachable)
{
    /// <summary>Referenced blocks that were in no stripe and that this (repair) pass striped with parity.</summary>
    public int Protected { get; init; }

    /// <summary>Catalogue entries whose stored leaf hash this (repair) pass found missing or wrong, and rewrote.</summary>
    public long LeafHashesRewritten { get; init; }

    /// <summary>True when every shard verified.</summary>
    public bool Healthy => Bad.Count == 0 && Unreachable == 0;

    /// <summary>The files named by <see cref="Lost"/>, sorted, each once.</summary>
    public IReadOnlyList<string> LostFiles => Lost.SelectMany(l => l.Files).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}

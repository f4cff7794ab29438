namespace Isg.Actors.GarbageCollection;

/// <summary>
/// What a collection did (or, with <see cref="DryRun"/>, would do): block rows forgotten and the sealed bytes of
/// their objects, stripes removed whole and repacked, orphan objects deleted; what it kept: dead blocks whose stripe
/// still needs them, and planned blocks referenced again before the sweep; deletes that failed (they stay as orphans
/// for the next run). In a dry run, orphans may include objects of an add still in progress. The byte, orphan and
/// failure totals are those of <paramref name="Backends"/>.
/// </summary>
public sealed record GcReport(
    bool DryRun,
    int BlocksDeleted,
    int StripesRemoved,
    int StripesRepacked,
    int BlocksKeptInLiveStripes,
    int BlocksReferencedAgain,
    IReadOnlyList<GcBackendReport> Backends)
{
    /// <summary>Sealed bytes of the catalogued objects deleted, over all backends.</summary>
    public long BytesDeleted => Backends.Sum(b => b.BytesDeleted);

    /// <summary>Orphan objects deleted, over all backends.</summary>
    public int OrphansDeleted => Backends.Sum(b => b.OrphansDeleted);

    /// <summary>Orphans kept as too young (written within the grace period), over all backends: a later run deletes them if they are still orphans.</summary>
    public int OrphansDeferred => Backends.Sum(b => b.OrphansDeferred);

    /// <summary>Deletes that failed, over all backends.</summary>
    public int DeleteFailures => Backends.Sum(b => b.DeleteFailures);

    /// <summary>Bytes a repack wrote (new parity, moved blocks); <see cref="BytesReclaimed"/> is net of them.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Net space freed: <see cref="BytesDeleted"/> less <see cref="BytesWritten"/> (orphans' sizes are unknown and not counted).</summary>
    public long BytesReclaimed => BytesDeleted - BytesWritten;

    /// <summary>True when there was nothing to delete, repack or keep.</summary>
    public bool FoundNothing => BlocksDeleted == 0 && StripesRemoved == 0 && StripesRepacked == 0 && OrphansDeleted == 0
        && BlocksKeptInLiveStripes == 0 && BlocksReferencedAgain == 0 && DeleteFailures == 0;
}

namespace Isg.Actors.GarbageCollection;

/// <summary>
/// What a collection deletes: <see cref="DeadBlocks"/> (unstriped, refcount 0), <see cref="DeadStripes"/> (every
/// data block dead: all shards go), <see cref="Repacks"/> (live blocks move to new stripes, then the old parity and
/// the dead blocks go), and what it keeps: <see cref="Kept"/>, dead blocks whose stripe still needs their bytes.
/// </summary>
public sealed record GcPlan(
    IReadOnlyList<GcBlock> DeadBlocks,
    IReadOnlyList<GcStripePlan> DeadStripes,
    IReadOnlyList<GcStripePlan> Repacks,
    IReadOnlyList<GcBlock> Kept)
{
    /// <summary>Nothing to do.</summary>
    public static GcPlan Empty { get; } = new([], [], [], []);

    /// <summary>True when the plan deletes and repacks nothing.</summary>
    public bool IsEmpty => DeadBlocks.Count == 0 && DeadStripes.Count == 0 && Repacks.Count == 0;
}

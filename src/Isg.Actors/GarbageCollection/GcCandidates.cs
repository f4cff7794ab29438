namespace Isg.Actors.GarbageCollection;

/// <summary>
/// What the planner looks at: every block with refcount 0, every data block of each stripe that has such a block
/// (or is undersized), and those stripes' rows. Read from the catalogue in one consistent snapshot.
/// </summary>
public sealed record GcCandidates(IReadOnlyList<GcBlock> Blocks, IReadOnlyList<GcStripe> Stripes)
{
    /// <summary>No candidates.</summary>
    public static GcCandidates Empty { get; } = new([], []);
}

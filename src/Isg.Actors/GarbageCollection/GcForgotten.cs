namespace Isg.Actors.GarbageCollection;

/// <summary>
/// What a collection's catalogue transaction removed: the rows of <paramref name="Blocks"/> blocks and
/// <paramref name="Stripes"/> stripes, whose <paramref name="Objects"/> must now be deleted from their backends;
/// <paramref name="Skipped"/> planned blocks or stripes were kept because they were referenced again.
/// </summary>
public sealed record GcForgotten(IReadOnlyList<GcObject> Objects, int Blocks, int Stripes, int Skipped)
{
    /// <summary>Nothing removed.</summary>
    public static GcForgotten None { get; } = new([], 0, 0, 0);
}

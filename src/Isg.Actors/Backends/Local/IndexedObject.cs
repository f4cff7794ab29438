namespace Isg.Actors.Backends.Local;

/// <summary>
/// Where the object index keeps one object: inline in the index (<see cref="Pack"/> null), or <see cref="Length"/>
/// bytes at <see cref="Offset"/> of pack file <see cref="Pack"/> (a file name under the store's <c>packs</c> folder).
/// </summary>
internal readonly record struct IndexedObject(string? Pack, long Offset, int Length)
{
    /// <summary>Whether the bytes are in the index itself.</summary>
    public bool IsInline => Pack is null;
}

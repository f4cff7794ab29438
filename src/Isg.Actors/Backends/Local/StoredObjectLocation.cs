namespace Isg.Actors.Backends.Local;

/// <summary>
/// Where a local store keeps one object's bytes, for tests that damage them: <see cref="Length"/> bytes at
/// <see cref="Offset"/> of <see cref="Path"/> (a pack, or a file of the one-file-per-object layout at offset 0), or,
/// with <see cref="Offset"/> -1, inline in the index at <see cref="Path"/>.
/// </summary>
internal sealed record StoredObjectLocation(string Path, long Offset, int Length)
{
    /// <summary>Whether the bytes are inline in the index.</summary>
    public bool IsInline => Offset < 0;
}

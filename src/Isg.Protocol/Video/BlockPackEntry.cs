namespace Isg.Protocol.Video;

/// <summary>
/// One object in a block pack: its name and where its bytes lie in the pack's payload (<paramref name="Offset"/> from
/// the payload's first byte, <paramref name="Length"/> bytes).
/// </summary>
public readonly record struct BlockPackEntry(string Name, long Offset, int Length)
{
    /// <summary>The payload offset just past the object.</summary>
    public long End => Offset + Length;
}

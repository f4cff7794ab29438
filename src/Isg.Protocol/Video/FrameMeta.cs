using System.Buffers.Binary;

namespace Isg.Protocol.Video;

/// <summary>
/// The 16 bytes that open every data frame's protected region: "I2", u8 kind, u8 zero, u32 stream tag (the header's,
/// so a frame spliced in from another video is refused), u32 frame index, u32 payload bytes in this frame; all LE.
/// </summary>
public readonly record struct FrameMeta(FrameKind Kind, uint StreamTag, int Index, int PayloadLength)
{
    /// <summary>Encoded size.</summary>
    public const int Size = 16;

    /// <summary>Writes the 16 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        destination[0] = (byte)'I';
        destination[1] = (byte)'2';
        destination[2] = (byte)Kind;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], StreamTag);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], Index);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], PayloadLength);
    }

    /// <summary>Reads the 16 bytes; false when the magic or kind is wrong or a number is negative.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out FrameMeta meta)
    {
        meta = new FrameMeta((FrameKind)source[2], BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[8..]), BinaryPrimitives.ReadInt32LittleEndian(source[12..]));
        return source[0] == 'I' && source[1] == '2' && source[3] == 0 && Enum.IsDefined(meta.Kind)
            && meta.Index >= 0 && meta.PayloadLength >= 0;
    }
}

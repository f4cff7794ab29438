using System.Buffers.Binary;
using System.Text;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Video;

/// <summary>
/// What the header says about the original file: its length, its SHA-256 and its name. Sealed with the header key
/// when the video is encrypted (platforms see neither the name nor a hash they could look up), stored in the clear
/// otherwise. Encoding: u64 length LE, 32-byte SHA-256, u16 name length LE, UTF-8 name.
/// </summary>
public sealed record VideoMetadata(long FileLength, byte[] Sha256, string Name)
{
    /// <summary>Longest file name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Bytes of the encoding before the name.</summary>
    public const int FixedBytes = 8 + 32 + 2;

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public int EncodedLength => FixedBytes + Encoding.UTF8.GetByteCount(Name);

    /// <summary>Throws <see cref="ArgumentException"/> when the name is too long or the hash is not 32 bytes.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(FileLength);
        if (Sha256 is not { Length: 32 })
        {
            throw new ArgumentException("The SHA-256 must be 32 bytes.", nameof(Sha256));
        }

        if (Encoding.UTF8.GetByteCount(Name) > MaxNameBytes)
        {
            throw new ArgumentException($"The file name is longer than {MaxNameBytes} UTF-8 bytes.", nameof(Name));
        }
    }

    /// <summary>Writes the encoding into <paramref name="destination"/> and returns its length.</summary>
    public int WriteTo(Span<byte> destination)
    {
        Validate();
        BinaryPrimitives.WriteInt64LittleEndian(destination, FileLength);
        Sha256.CopyTo(destination[8..]);
        var nameLength = Encoding.UTF8.GetBytes(Name, destination[FixedBytes..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[40..], (ushort)nameLength);
        return FixedBytes + nameLength;
    }

    /// <summary>Parses an encoding; false with a typed error when it is short, long or not UTF-8.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out VideoMetadata metadata, out ProtocolError error)
    {
        metadata = null!;
        if (source.Length < FixedBytes)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, source, 0, $"metadata is {source.Length} bytes, needs {FixedBytes}");
            return false;
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(source);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(source[40..]);
        if (length < 0 || nameLength > MaxNameBytes || source.Length != FixedBytes + nameLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, 0, "metadata length fields are inconsistent");
            return false;
        }

        string name;
        try
        {
            name = new UTF8Encoding(false, true).GetString(source.Slice(FixedBytes, nameLength));
        }
        catch (DecoderFallbackException)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadText, source, FixedBytes, "file name is not UTF-8");
            return false;
        }

        metadata = new VideoMetadata(length, source.Slice(8, 32).ToArray(), name);
        error = default;
        return true;
    }
}

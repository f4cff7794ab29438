using System.Buffers.Binary;
using System.Security.Cryptography;
using Isg.Protocol.Errors;
using Isg.Protocol.Frames;
using Isg.Protocol.Keys;

namespace Isg.Protocol.Video;

/// <summary>
/// The header an ISGv2 video opens with (drawn by <see cref="HeaderFrame"/>, repeated): everything a decoder needs.
/// Layout, little-endian: "ISGv2", u8 format version, u8 mode, u8 cell size, u8 bits per channel, u8 inner parity, u8 reserved,
/// u16 width, u16 height, u8 group data frames, u8 group parity frames, u8 repeat, u8 flags (bit 0 = encrypted),
/// u32 frame rate in millihertz, u32 stream tag, u64 payload length (bytes carried by the data frames), u32 Argon2
/// memory KiB, u8 iterations, u8 lanes, 16-byte salt (zeros and 0 when not encrypted), u16 metadata length, then the
/// metadata: <see cref="VideoMetadata"/> in the clear, or nonce(12) || AES-256-GCM(metadata) || tag(16) under the
/// header key with every byte before it as associated data, so a tampered parameter fails authentication.
/// </summary>
public sealed record VideoHeader(
    VideoParameters Parameters,
    uint StreamTag,
    long PayloadLength,
    Argon2Parameters? Kdf,
    byte[] Salt,
    byte[] MetadataBlob)
{
    /// <summary>The format version this code writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Bytes before the metadata.</summary>
    public const int FixedBytes = 59;

    /// <summary>Longest encoding: fixed part, sealed metadata with the longest name.</summary>
    public const int MaxEncodedBytes = FixedBytes + NonceBytes + VideoMetadata.FixedBytes + VideoMetadata.MaxNameBytes + TagBytes;

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>The magic every header starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "ISGv2"u8;

    /// <summary>True when the metadata is sealed and a passphrase is needed.</summary>
    public bool IsEncrypted => Kdf is not null;

    /// <summary>Bytes of <see cref="WriteTo"/>.</summary>
    public int EncodedLength => FixedBytes + MetadataBlob.Length;

    /// <summary>
    /// A header whose metadata is sealed with <paramref name="keys"/> (then <paramref name="kdf"/> and
    /// <paramref name="salt"/> say how they were derived) or stored in the clear when <paramref name="keys"/> is null.
    /// </summary>
    public static VideoHeader Create(
        VideoParameters parameters, uint streamTag, long payloadLength, VideoMetadata metadata,
        VideoKeys? keys, Argon2Parameters? kdf, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(metadata);
        parameters.Validate();
        metadata.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if ((keys is null) != (kdf is null) || (keys is not null && salt.Length != VideoKeys.SaltLength))
        {
            throw new ArgumentException("An encrypted header needs keys, their Argon2 parameters and a 16-byte salt.");
        }

        var clear = new byte[metadata.EncodedLength];
        metadata.WriteTo(clear);
        if (keys is null)
        {
            return new VideoHeader(parameters, streamTag, payloadLength, null, new byte[VideoKeys.SaltLength], clear);
        }

        var blob = new byte[NonceBytes + clear.Length + TagBytes];
        var unsealed = new VideoHeader(parameters, streamTag, payloadLength, kdf, salt.ToArray(), blob);
        Span<byte> fixedPart = stackalloc byte[FixedBytes];
        unsealed.WriteFixed(fixedPart);
        RandomNumberGenerator.Fill(blob.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(keys.HeaderKey, TagBytes);
        aes.Encrypt(blob.AsSpan(0, NonceBytes), clear, blob.AsSpan(NonceBytes, clear.Length), blob.AsSpan(NonceBytes + clear.Length), fixedPart);
        CryptographicOperations.ZeroMemory(clear);
        return unsealed;
    }

    /// <summary>
    /// The file's metadata: opened with <paramref name="keys"/> when the header is encrypted (false with
    /// <see cref="ProtocolErrorKind.WrongPassphrase"/> when they are missing or wrong), read directly otherwise.
    /// </summary>
    public bool TryOpenMetadata(VideoKeys? keys, out VideoMetadata metadata, out ProtocolError error)
    {
        if (!IsEncrypted)
        {
            return VideoMetadata.TryRead(MetadataBlob, out metadata, out error);
        }

        metadata = null!;
        if (keys is null)
        {
            error = ProtocolError.Of(ProtocolErrorKind.WrongPassphrase, "the video is encrypted: a passphrase is needed");
            return false;
        }

        if (MetadataBlob.Length < NonceBytes + TagBytes + VideoMetadata.FixedBytes)
        {
            error = ProtocolError.Of(ProtocolErrorKind.Truncated, "sealed metadata is too short");
            return false;
        }

        var clearLength = MetadataBlob.Length - NonceBytes - TagBytes;
        var clear = new byte[clearLength];
        Span<byte> fixedPart = stackalloc byte[FixedBytes];
        WriteFixed(fixedPart);
        try
        {
            using var aes = new AesGcm(keys.HeaderKey, TagBytes);
            aes.Decrypt(MetadataBlob.AsSpan(0, NonceBytes), MetadataBlob.AsSpan(NonceBytes, clearLength),
                MetadataBlob.AsSpan(NonceBytes + clearLength), clear, fixedPart);
        }
        catch (AuthenticationTagMismatchException)
        {
            error = ProtocolError.Of(ProtocolErrorKind.WrongPassphrase, "the passphrase does not open this video (or its header was altered)");
            return false;
        }

        return VideoMetadata.TryRead(clear, out metadata, out error);
    }

    /// <summary>Writes the encoding into <paramref name="destination"/> (at least <see cref="EncodedLength"/> bytes).</summary>
    public int WriteTo(Span<byte> destination)
    {
        WriteFixed(destination);
        MetadataBlob.CopyTo(destination[FixedBytes..]);
        return EncodedLength;
    }

    /// <summary>Parses a header; false with a typed error on a bad magic, version, parameter or length.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out VideoHeader header, out ProtocolError error)
    {
        header = null!;
        if (source.Length < FixedBytes)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, source, 0, $"header is {source.Length} bytes, needs {FixedBytes}");
            return false;
        }

        if (!source.StartsWith(Magic))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadMagic, source, 0, "not an ISGv2 video header");
            return false;
        }

        if (source[5] != FormatVersion)
        {
            error = ProtocolError.At(ProtocolErrorKind.UnsupportedVersion, source, 5, $"header format version {source[5]} is not {FormatVersion}");
            return false;
        }

        var parameters = new VideoParameters(
            (VideoMode)source[6], BinaryPrimitives.ReadUInt16LittleEndian(source[11..]), BinaryPrimitives.ReadUInt16LittleEndian(source[13..]),
            source[7], source[8], source[9], source[15], source[16], source[17],
            BinaryPrimitives.ReadUInt32LittleEndian(source[19..]) / 1000.0);
        if (!parameters.TryValidate(out var problem))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, 6, problem);
            return false;
        }

        var flags = source[18];
        var payloadLength = BinaryPrimitives.ReadInt64LittleEndian(source[27..]);
        var metadataLength = BinaryPrimitives.ReadUInt16LittleEndian(source[57..]);
        if (flags > 1 || payloadLength < 0 || metadataLength > MaxEncodedBytes - FixedBytes || source.Length < FixedBytes + metadataLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, 18, "header flags or lengths are out of range");
            return false;
        }

        Argon2Parameters? kdf = null;
        if ((flags & 1) != 0)
        {
            kdf = new Argon2Parameters((int)BinaryPrimitives.ReadUInt32LittleEndian(source[35..]), source[39], source[40]);
            if (!kdf.TryValidate(out problem))
            {
                error = ProtocolError.At(ProtocolErrorKind.BadField, source, 35, problem);
                return false;
            }
        }

        header = new VideoHeader(parameters, BinaryPrimitives.ReadUInt32LittleEndian(source[23..]), payloadLength, kdf,
            source.Slice(41, VideoKeys.SaltLength).ToArray(), source.Slice(FixedBytes, metadataLength).ToArray());
        error = default;
        return true;
    }

    private void WriteFixed(Span<byte> destination)
    {
        var p = Parameters;
        destination[..FixedBytes].Clear();
        Magic.CopyTo(destination);
        destination[5] = FormatVersion;
        destination[6] = (byte)p.Mode;
        destination[7] = (byte)p.CellSize;
        destination[8] = (byte)p.BitsPerChannel;
        destination[9] = (byte)p.InnerParity;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[11..], (ushort)p.Width);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[13..], (ushort)p.Height);
        destination[15] = (byte)p.GroupDataFrames;
        destination[16] = (byte)p.GroupParityFrames;
        destination[17] = (byte)p.Repeat;
        destination[18] = (byte)(IsEncrypted ? 1 : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[19..], (uint)Math.Round(p.FramesPerSecond * 1000));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[23..], StreamTag);
        BinaryPrimitives.WriteInt64LittleEndian(destination[27..], PayloadLength);
        if (Kdf is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[35..], (uint)Kdf.MemoryKiB);
            destination[39] = (byte)Kdf.Iterations;
            destination[40] = (byte)Kdf.Parallelism;
            Salt.CopyTo(destination[41..]);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination[57..], (ushort)MetadataBlob.Length);
    }
}

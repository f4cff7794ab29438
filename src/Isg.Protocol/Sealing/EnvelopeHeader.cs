using System.Buffers.Binary;
using Isg.Protocol.Compression;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Sealing;

/// <summary>
/// The 24-byte header in front of every sealed block, big-endian: magic "ISGB" (4), version (1), compression
/// id (1), cipher id (1), flags (1, zero), plaintext length (uint32), nonce (12). The sealer passes these exact
/// bytes to the AEAD as associated data, so none of them can be changed without failing authentication.
/// </summary>
public readonly struct EnvelopeHeader
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 24;

    /// <summary>The only version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>AEAD nonce length in bytes (both ciphers).</summary>
    public const int NonceLength = 12;

    /// <summary>Largest plaintext a sealed block may carry: 64 MiB, far above the 4 MiB chunker maximum.</summary>
    public const int MaxPlaintextLength = 64 * 1024 * 1024;

    // "ISGB" read as a big-endian uint32.
    private const uint Magic = 0x49534742;

    private const int VersionOffset = 4;
    private const int CompressionOffset = 5;
    private const int CipherOffset = 6;
    private const int FlagsOffset = 7;
    internal const int PlaintextLengthOffset = 8;
    private const int NonceOffset = 12;

    private readonly ulong _nonceHigh;
    private readonly uint _nonceLow;

    /// <summary>Builds a header; throws on values the format cannot carry (our bug, not bad input).</summary>
    public EnvelopeHeader(CompressionId compression, CipherId cipher, int plaintextLength, ReadOnlySpan<byte> nonce)
    {
        if (!IsKnown(compression))
        {
            throw new ArgumentOutOfRangeException(nameof(compression), compression, "unknown compression id");
        }

        if (!IsKnown(cipher))
        {
            throw new ArgumentOutOfRangeException(nameof(cipher), cipher, "unknown cipher id");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextLength, MaxPlaintextLength);
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"a nonce is {NonceLength} bytes, got {nonce.Length}", nameof(nonce));
        }

        Compression = compression;
        Cipher = cipher;
        PlaintextLength = plaintextLength;
        _nonceHigh = BinaryPrimitives.ReadUInt64BigEndian(nonce);
        _nonceLow = BinaryPrimitives.ReadUInt32BigEndian(nonce[8..]);
    }

    /// <summary>How the payload is compressed.</summary>
    public CompressionId Compression { get; }

    /// <summary>Which AEAD sealed it.</summary>
    public CipherId Cipher { get; }

    /// <summary>Length of the plaintext in bytes (0..<see cref="MaxPlaintextLength"/>).</summary>
    public int PlaintextLength { get; }

    /// <summary>
    /// Decodes a header from the start of <paramref name="source"/> (extra bytes are ignored). Returns
    /// <see cref="DecodeStatus.NeedMoreData"/> (error kind Truncated) when fewer than <see cref="Size"/> bytes are
    /// given, and <see cref="DecodeStatus.Invalid"/> on a bad magic, an unknown version, compression or cipher id,
    /// non-zero flags, or a plaintext length above <see cref="MaxPlaintextLength"/>. Never throws.
    /// </summary>
    public static DecodeStatus TryRead(ReadOnlySpan<byte> source, out EnvelopeHeader header, out ProtocolError error)
    {
        header = default;
        var magicBytes = Math.Min(source.Length, 4);
        Span<byte> expectedMagic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(expectedMagic, Magic);

        // A prefix that already contradicts the magic is rejected at once rather than waiting for more bytes.
        if (!source[..magicBytes].SequenceEqual(expectedMagic[..magicBytes]))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadMagic, source, 0, "not a sealed block (magic is not \"ISGB\")");
            return DecodeStatus.Invalid;
        }

        if (source.Length < Size)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, source, source.Length,
                $"a sealed block header is {Size} bytes, got {source.Length}");
            return DecodeStatus.NeedMoreData;
        }

        if (source[VersionOffset] != CurrentVersion)
        {
            error = ProtocolError.At(ProtocolErrorKind.UnsupportedVersion, source, VersionOffset,
                $"sealed block version {source[VersionOffset]} (this code reads {CurrentVersion})");
            return DecodeStatus.Invalid;
        }

        var compression = (CompressionId)source[CompressionOffset];
        if (!IsKnown(compression))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, CompressionOffset, $"unknown compression id {source[CompressionOffset]}");
            return DecodeStatus.Invalid;
        }

        var cipher = (CipherId)source[CipherOffset];
        if (!IsKnown(cipher))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, CipherOffset, $"unknown cipher id {source[CipherOffset]}");
            return DecodeStatus.Invalid;
        }

        if (source[FlagsOffset] != 0)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, FlagsOffset, $"flags must be 0, got 0x{source[FlagsOffset]:x2}");
            return DecodeStatus.Invalid;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(source[PlaintextLengthOffset..]);
        if (length > MaxPlaintextLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, source, PlaintextLengthOffset,
                $"plaintext length {length} exceeds the {MaxPlaintextLength}-byte maximum");
            return DecodeStatus.Invalid;
        }

        header = new EnvelopeHeader(compression, cipher, (int)length, source.Slice(NonceOffset, NonceLength));
        error = default;
        return DecodeStatus.Done;
    }

    /// <summary>Writes the <see cref="Size"/> header bytes to the start of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Size, nameof(destination));
        BinaryPrimitives.WriteUInt32BigEndian(destination, Magic);
        destination[VersionOffset] = CurrentVersion;
        destination[CompressionOffset] = (byte)Compression;
        destination[CipherOffset] = (byte)Cipher;
        destination[FlagsOffset] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[PlaintextLengthOffset..], (uint)PlaintextLength);
        CopyNonceTo(destination.Slice(NonceOffset, NonceLength));
    }

    /// <summary>Writes the <see cref="NonceLength"/> nonce bytes to <paramref name="destination"/>.</summary>
    public void CopyNonceTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, NonceLength, nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _nonceHigh);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _nonceLow);
    }

    /// <inheritdoc />
    public override string ToString() => $"sealed block v{CurrentVersion}: {Compression}, {Cipher}, {PlaintextLength} bytes";

    private static bool IsKnown(CompressionId compression) => compression is CompressionId.None or CompressionId.Zstd or CompressionId.Brotli;

    private static bool IsKnown(CipherId cipher) => cipher is CipherId.Aes256Gcm or CipherId.ChaCha20Poly1305;
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Video;

/// <summary>
/// Seals an encrypted video's payload in segments of <see cref="SegmentBytes"/> plaintext bytes, each AES-256-GCM
/// under the payload key with nonce = 4 zero bytes || u64 segment number BE and associated data = stream tag ||
/// final flag, so segments cannot be reordered, moved to another video, or cut off at the end unnoticed.
/// Holds an <see cref="AesGcm"/>: not thread-safe.
/// </summary>
public sealed class PayloadCipher : IDisposable
{
    /// <summary>Plaintext bytes per segment (the last may be shorter, or empty for an empty file).</summary>
    public const int SegmentBytes = 64 * 1024;

    /// <summary>Tag bytes each segment adds.</summary>
    public const int TagBytes = 16;

    private readonly AesGcm _aes;
    private readonly uint _streamTag;

    /// <summary>A cipher over <paramref name="keys"/>' payload key for the video with <paramref name="streamTag"/>.</summary>
    public PayloadCipher(VideoKeys keys, uint streamTag)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _aes = new AesGcm(keys.PayloadKey, TagBytes);
        _streamTag = streamTag;
    }

    /// <summary>Segments a plaintext of <paramref name="plaintextLength"/> bytes is sealed in (at least one).</summary>
    public static long SegmentCount(long plaintextLength) => Math.Max(1, (plaintextLength + SegmentBytes - 1) / SegmentBytes);

    /// <summary>Bytes the sealed payload of <paramref name="plaintextLength"/> plaintext bytes takes.</summary>
    public static long SealedLength(long plaintextLength) => plaintextLength + (SegmentCount(plaintextLength) * TagBytes);

    /// <summary>Seals segment <paramref name="segment"/> into <paramref name="sealedSegment"/> (plaintext length + <see cref="TagBytes"/>).</summary>
    public void Seal(long segment, bool final, ReadOnlySpan<byte> plaintext, Span<byte> sealedSegment)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> associated = stackalloc byte[5];
        Describe(segment, final, nonce, associated);
        _aes.Encrypt(nonce, plaintext, sealedSegment[..plaintext.Length], sealedSegment.Slice(plaintext.Length, TagBytes), associated);
    }

    /// <summary>Opens a sealed segment; false with <see cref="ProtocolErrorKind.AuthenticationFailed"/> when it was altered.</summary>
    public bool TryOpen(long segment, bool final, ReadOnlySpan<byte> sealedSegment, Span<byte> plaintext, out ProtocolError error)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> associated = stackalloc byte[5];
        Describe(segment, final, nonce, associated);
        var length = sealedSegment.Length - TagBytes;
        try
        {
            _aes.Decrypt(nonce, sealedSegment[..length], sealedSegment[length..], plaintext[..length], associated);
            error = default;
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            error = ProtocolError.Of(ProtocolErrorKind.AuthenticationFailed, $"payload segment {segment} failed authentication");
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _aes.Dispose();

    private void Describe(long segment, bool final, Span<byte> nonce, Span<byte> associated)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], segment);
        BinaryPrimitives.WriteUInt32LittleEndian(associated, _streamTag);
        associated[4] = final ? (byte)1 : (byte)0;
    }
}

using System.Buffers;
using System.Security.Cryptography;
using Isg.Protocol.Compression;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;

namespace Isg.Protocol.Sealing;

/// <summary>
/// Seals blocks into what backends store, <see cref="EnvelopeHeader"/> || AEAD(payload) || 16-byte tag, and opens
/// them again. The payload is the compressed plaintext, or the plaintext itself when it does not shrink. The AEAD
/// key is derived per block from the repository key and the block id, the nonce is random, and the 24 header bytes
/// are the associated data. Holds a compressor and a scratch buffer, so it is NOT thread-safe: keep one per
/// worker. Does not own the <see cref="RepositoryKey"/>; disposing the sealer leaves the key alone.
/// </summary>
public sealed class BlockSealer : IDisposable
{
    /// <summary>AEAD tag length in bytes.</summary>
    public const int TagLength = 16;

    /// <summary>Bytes a sealed block adds to its payload: header and tag.</summary>
    public const int Overhead = EnvelopeHeader.Size + TagLength;

    private readonly RepositoryKey _key;
    private readonly SealOptions _options;
    private readonly BlockCompressor _compressor;

    // Holds a decrypted compressed payload while it is decompressed; rented, grown on demand, returned on Dispose.
    private byte[] _scratch = [];
    private bool _disposed;

    /// <summary>Creates a sealer; <paramref name="options"/> are validated. Throws DllNotFoundException without libzstd.so.1.</summary>
    public BlockSealer(RepositoryKey key, SealOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _key = key;
        _options = options;
        _compressor = new BlockCompressor();
    }

    /// <summary>
    /// Bytes <see cref="Seal"/> needs in its destination for <paramref name="plaintextLength"/> bytes of
    /// plaintext: the payload is never longer than the plaintext (it is stored raw rather than grow).
    /// </summary>
    public static int MaxSealedLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextLength, EnvelopeHeader.MaxPlaintextLength);
        return plaintextLength + Overhead;
    }

    /// <summary>
    /// Reads the plaintext length from a sealed block's header, to size the destination of <see cref="TryOpen"/>.
    /// False (with Truncated, BadMagic, UnsupportedVersion, BadField or TooLarge) when the header is bad. The length
    /// is not yet authenticated: <see cref="TryOpen"/> checks it.
    /// </summary>
    public static bool TryReadPlaintextLength(ReadOnlySpan<byte> sealedBlock, out int length, out ProtocolError error)
    {
        length = 0;
        if (EnvelopeHeader.TryRead(sealedBlock, out var header, out error) != DecodeStatus.Done)
        {
            return false;
        }

        length = header.PlaintextLength;
        return true;
    }

    /// <summary>
    /// Seals <paramref name="plaintext"/> (at most <see cref="EnvelopeHeader.MaxPlaintextLength"/> bytes) into
    /// <paramref name="destination"/> (at least <see cref="MaxSealedLength"/>, not overlapping the plaintext) and
    /// returns the sealed length. <paramref name="id"/> must be the id of <paramref name="plaintext"/>; it is not
    /// recomputed here (the caller has just hashed the chunk), and a wrong one makes <see cref="TryOpen"/> report
    /// HashMismatch.
    /// </summary>
    public int Seal(BlockId id, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var needed = MaxSealedLength(plaintext.Length);
        if (destination.Length < needed)
        {
            throw new ArgumentException($"destination needs {needed} bytes, has {destination.Length}", nameof(destination));
        }

        if (plaintext.Overlaps(destination))
        {
            throw new ArgumentException("plaintext and destination must not overlap", nameof(destination));
        }

        Span<byte> nonce = stackalloc byte[EnvelopeHeader.NonceLength];
        RandomNumberGenerator.Fill(nonce);

        // Compressed straight into the ciphertext's place, then encrypted in place: no scratch copy on sealing.
        var body = destination.Slice(EnvelopeHeader.Size, plaintext.Length);
        var compressedLength = _compressor.Compress(plaintext, body, _options.Compression, _options.Level);
        var compression = compressedLength < 0 ? CompressionId.None : _options.Compression;
        ReadOnlySpan<byte> payload = compressedLength < 0 ? plaintext : body[..compressedLength];

        var header = new EnvelopeHeader(compression, _options.Cipher, plaintext.Length, nonce);
        header.Write(destination);
        var ciphertext = destination.Slice(EnvelopeHeader.Size, payload.Length);
        var tag = destination.Slice(EnvelopeHeader.Size + payload.Length, TagLength);

        Span<byte> blockKey = stackalloc byte[RepositoryKey.BlockKeyLength];
        try
        {
            _key.DeriveBlockKey(id, blockKey);
            if (_options.Cipher == CipherId.Aes256Gcm)
            {
                using var aes = new AesGcm(blockKey, TagLength);
                aes.Encrypt(nonce, payload, ciphertext, tag, destination[..EnvelopeHeader.Size]);
            }
            else
            {
                using var chacha = new ChaCha20Poly1305(blockKey);
                chacha.Encrypt(nonce, payload, ciphertext, tag, destination[..EnvelopeHeader.Size]);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blockKey);
        }

        return EnvelopeHeader.Size + payload.Length + TagLength;
    }

    /// <summary>
    /// Opens a whole sealed block stored as <paramref name="id"/> into <paramref name="destination"/>, which must hold
    /// at least the plaintext length (size it with <see cref="TryReadPlaintextLength"/>; a smaller one gives TooLarge).
    /// Checks the header, authenticates (another id or repository key gives AuthenticationFailed),
    /// decompresses (CorruptPayload) and verifies SHA-256(plaintext) == id (HashMismatch). Other kinds: Truncated,
    /// BadMagic, UnsupportedVersion, BadField, TooLarge. Returns Done or Invalid, never NeedMoreData (the input
    /// is the whole object), and never throws on bad bytes. On failure <paramref name="written"/> is 0 and no
    /// unauthenticated or unverified plaintext is left in <paramref name="destination"/>.
    /// </summary>
    public DecodeStatus TryOpen(BlockId id, ReadOnlySpan<byte> sealedBlock, Span<byte> destination, out int written, out ProtocolError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        written = 0;
        if (EnvelopeHeader.TryRead(sealedBlock, out var header, out error) != DecodeStatus.Done)
        {
            return DecodeStatus.Invalid;
        }

        var plaintextLength = header.PlaintextLength;
        // The length is untrusted: a caller with a fixed-size buffer must get a typed error, not an exception.
        if (destination.Length < plaintextLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, sealedBlock, EnvelopeHeader.PlaintextLengthOffset,
                $"plaintext of {plaintextLength} bytes does not fit the {destination.Length}-byte destination");
            return DecodeStatus.Invalid;
        }

        if (!TryReadPayloadLength(header, sealedBlock, out var payloadLength, out error))
        {
            return DecodeStatus.Invalid;
        }

        var target = destination[..plaintextLength];
        var ciphertext = sealedBlock.Slice(EnvelopeHeader.Size, payloadLength);
        var decrypted = header.Compression == CompressionId.None ? target : RentScratch(payloadLength);
        if (!TryDecrypt(id, header, sealedBlock, ciphertext, decrypted))
        {
            error = AuthenticationFailure(sealedBlock, payloadLength);
            return DecodeStatus.Invalid;
        }

        if (header.Compression != CompressionId.None && !_compressor.TryDecompress(decrypted, target, header.Compression, out _))
        {
            target.Clear();
            error = ProtocolError.At(ProtocolErrorKind.CorruptPayload, sealedBlock, EnvelopeHeader.Size,
                $"authenticated {header.Compression} payload does not decompress to {plaintextLength} bytes");
            return DecodeStatus.Invalid;
        }

        if (BlockId.Compute(target) != id)
        {
            target.Clear();
            error = ProtocolError.Of(ProtocolErrorKind.HashMismatch, $"opened block does not hash to {id}");
            return DecodeStatus.Invalid;
        }

        written = plaintextLength;
        return DecodeStatus.Done;
    }

    /// <summary>
    /// Checks that <paramref name="sealedBlock"/> is a sealed block of <paramref name="id"/> under this repository's key,
    /// without decompressing or hashing its plaintext: Done, or Invalid with the error kinds of <see cref="TryOpen"/>
    /// up to AuthenticationFailed. The AEAD key is derived from the id and the tag covers header and payload, so a block
    /// passes only as it was sealed, for this id, by a holder of the repository key; a damaged block, another block, or
    /// one sealed under another key fails with probability 1 - 2^-128. What it does not check is whether the sealer
    /// hashed the right plaintext, which <see cref="TryOpen"/> does whenever the block is read.
    /// </summary>
    public DecodeStatus TryAuthenticate(BlockId id, ReadOnlySpan<byte> sealedBlock, out ProtocolError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (EnvelopeHeader.TryRead(sealedBlock, out var header, out error) != DecodeStatus.Done
            || !TryReadPayloadLength(header, sealedBlock, out var payloadLength, out error))
        {
            return DecodeStatus.Invalid;
        }

        if (!TryDecrypt(id, header, sealedBlock, sealedBlock.Slice(EnvelopeHeader.Size, payloadLength), [], tagOnly: true))
        {
            error = AuthenticationFailure(sealedBlock, payloadLength);
            return DecodeStatus.Invalid;
        }

        return DecodeStatus.Done;
    }

    /// <summary>Frees the compressor and returns the scratch buffer. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _compressor.Dispose();
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private static ProtocolError AuthenticationFailure(ReadOnlySpan<byte> sealedBlock, int payloadLength) =>
        ProtocolError.At(ProtocolErrorKind.AuthenticationFailed, sealedBlock, EnvelopeHeader.Size + payloadLength,
            "authentication failed: the block is damaged, or sealed under another id or repository key");

    private static bool TryReadPayloadLength(EnvelopeHeader header, ReadOnlySpan<byte> sealedBlock, out int payloadLength, out ProtocolError error)
    {
        payloadLength = sealedBlock.Length - Overhead;
        if (payloadLength < 0)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, sealedBlock, sealedBlock.Length,
                $"a sealed block is at least {Overhead} bytes, got {sealedBlock.Length}");
            return false;
        }

        return CheckPayloadLength(header, payloadLength, sealedBlock, out error);
    }

    // A raw payload is exactly the plaintext; a compressed one is strictly shorter (the sealer stores raw
    // otherwise). Enforcing this before decrypting also bounds the scratch buffer by the header's 64 MiB limit.
    private static bool CheckPayloadLength(EnvelopeHeader header, int payloadLength, ReadOnlySpan<byte> sealedBlock, out ProtocolError error)
    {
        var plaintextLength = header.PlaintextLength;
        if (header.Compression == CompressionId.None && payloadLength < plaintextLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, sealedBlock, sealedBlock.Length,
                $"raw payload is {payloadLength} bytes, the header says {plaintextLength}");
            return false;
        }

        if (header.Compression == CompressionId.None && payloadLength > plaintextLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, sealedBlock, EnvelopeHeader.Size + plaintextLength,
                $"raw payload is {payloadLength} bytes, the header says {plaintextLength}");
            return false;
        }

        if (header.Compression != CompressionId.None && (payloadLength == 0 || payloadLength >= plaintextLength))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, sealedBlock, EnvelopeHeader.Size,
                $"compressed payload of {payloadLength} bytes for a {plaintextLength}-byte plaintext");
            return false;
        }

        error = default;
        return true;
    }

    // Checks the payload's AEAD tag under the key derived from the id, decrypting the payload into plaintext. With
    // tagOnly (plaintext unused) the payload is not wanted: AES-GCM's tag is checked without decrypting where
    // GcmTagCheck can (GHASH and two AES blocks), and elsewhere the payload decrypts into the scratch buffer.
    private bool TryDecrypt(BlockId id, EnvelopeHeader header, ReadOnlySpan<byte> sealedBlock, ReadOnlySpan<byte> ciphertext,
        Span<byte> plaintext, bool tagOnly = false)
    {
        Span<byte> nonce = stackalloc byte[EnvelopeHeader.NonceLength];
        header.CopyNonceTo(nonce);
        var tag = sealedBlock.Slice(EnvelopeHeader.Size + ciphertext.Length, TagLength);
        var associatedData = sealedBlock[..EnvelopeHeader.Size];
        Span<byte> blockKey = stackalloc byte[RepositoryKey.BlockKeyLength];
        try
        {
            _key.DeriveBlockKey(id, blockKey);
            if (tagOnly && header.Cipher == CipherId.Aes256Gcm && Ghash.IsSupported)
            {
                return GcmTagCheck.Matches(blockKey, nonce, associatedData, ciphertext, tag);
            }

            if (tagOnly)
            {
                plaintext = RentScratch(ciphertext.Length);
            }

            if (header.Cipher == CipherId.Aes256Gcm)
            {
                using var aes = new AesGcm(blockKey, TagLength);
                aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            }
            else
            {
                using var chacha = new ChaCha20Poly1305(blockKey);
                chacha.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The AEAD has already zeroed the output; the typed error is built by the caller.
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blockKey);
        }
    }

    private Span<byte> RentScratch(int length)
    {
        if (_scratch.Length < length)
        {
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = [];
            _scratch = ArrayPool<byte>.Shared.Rent(length);
        }

        return _scratch.AsSpan(0, length);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Keys;

/// <summary>
/// The passphrase-wrapped repository key as stored on disk, 94 bytes, big-endian: magic "ISGK" (4), version (1),
/// KDF id (1 = Argon2id), memory KiB, iterations, parallelism (uint32 each), salt (16), nonce (12), then
/// AES-256-GCM of the 32-byte master key under Argon2id(passphrase, salt) and its 16-byte tag. Everything before
/// the ciphertext is associated data, so weakening the stored parameters fails like a wrong passphrase. Stateless
/// and thread-safe.
/// </summary>
public static class KeyFile
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = HeaderLength + RepositoryKey.Length + TagLength;

    /// <summary>The only version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>KDF id for Argon2id, the only one defined.</summary>
    public const byte KdfArgon2id = 1;

    /// <summary>Salt length in bytes.</summary>
    public const int SaltLength = 16;

    // "ISGK" read as a big-endian uint32.
    private const uint Magic = 0x4953474B;

    private const int VersionOffset = 4;
    private const int KdfOffset = 5;
    private const int MemoryOffset = 6;
    private const int IterationsOffset = 10;
    private const int ParallelismOffset = 14;
    private const int SaltOffset = 18;
    private const int NonceOffset = SaltOffset + SaltLength;
    private const int NonceLength = 12;
    private const int HeaderLength = NonceOffset + NonceLength;
    private const int TagLength = 16;
    private const int WrappingKeyLength = 32;

    /// <summary>
    /// Wraps <paramref name="key"/> under <paramref name="passphrase"/> (UTF-8 bytes) with a fresh random salt and
    /// nonce. Costs one Argon2id run at <paramref name="parameters"/>, which are validated first.
    /// </summary>
    public static byte[] Wrap(RepositoryKey key, ReadOnlySpan<byte> passphrase, Argon2Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();

        var file = new byte[Size];
        var span = file.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        span[VersionOffset] = CurrentVersion;
        span[KdfOffset] = KdfArgon2id;
        BinaryPrimitives.WriteUInt32BigEndian(span[MemoryOffset..], (uint)parameters.MemoryKiB);
        BinaryPrimitives.WriteUInt32BigEndian(span[IterationsOffset..], (uint)parameters.Iterations);
        BinaryPrimitives.WriteUInt32BigEndian(span[ParallelismOffset..], (uint)parameters.Parallelism);
        RandomNumberGenerator.Fill(span.Slice(SaltOffset, SaltLength));
        RandomNumberGenerator.Fill(span.Slice(NonceOffset, NonceLength));

        Span<byte> wrappingKey = stackalloc byte[WrappingKeyLength];
        try
        {
            Argon2id.DeriveKey(passphrase, span.Slice(SaltOffset, SaltLength), parameters, wrappingKey);
            using var aes = new AesGcm(wrappingKey, TagLength);
            aes.Encrypt(span.Slice(NonceOffset, NonceLength), key.Master, span.Slice(HeaderLength, RepositoryKey.Length),
                span.Slice(HeaderLength + RepositoryKey.Length, TagLength), span[..HeaderLength]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
        }

        return file;
    }

    /// <summary>
    /// Unwraps a key file. Damaged files are rejected before the KDF runs: Truncated (short), TooLarge (trailing
    /// bytes), BadMagic, UnsupportedVersion, BadField (unknown KDF or parameters outside
    /// <see cref="Argon2Parameters"/> bounds, so a tampered file cannot make us allocate without limit). A failed
    /// tag gives WrongPassphrase (which a tampered salt, nonce or ciphertext also gives). Never returns
    /// <see cref="DecodeStatus.NeedMoreData"/>: the input is the whole file. Never throws on bad bytes; the KDF itself
    /// throws <see cref="DllNotFoundException"/> without libargon2.so.1 and <see cref="CryptographicException"/> when
    /// the machine cannot give the (in-bounds) memory the file asks for. Costs one Argon2id run when the file is sound.
    /// </summary>
    public static DecodeStatus TryUnwrap(ReadOnlySpan<byte> file, ReadOnlySpan<byte> passphrase, out RepositoryKey? key, out ProtocolError error)
    {
        key = null;
        if (!TryReadParameters(file, out var parameters, out error))
        {
            return DecodeStatus.Invalid;
        }

        Span<byte> wrappingKey = stackalloc byte[WrappingKeyLength];
        Span<byte> master = stackalloc byte[RepositoryKey.Length];
        try
        {
            Argon2id.DeriveKey(passphrase, file.Slice(SaltOffset, SaltLength), parameters, wrappingKey);
            using var aes = new AesGcm(wrappingKey, TagLength);
            aes.Decrypt(file.Slice(NonceOffset, NonceLength), file.Slice(HeaderLength, RepositoryKey.Length),
                file.Slice(HeaderLength + RepositoryKey.Length, TagLength), master, file[..HeaderLength]);
            key = RepositoryKey.FromBytes(master);
            error = default;
            return DecodeStatus.Done;
        }
        catch (AuthenticationTagMismatchException)
        {
            // No excerpt: the bytes there are the wrapped key, which has no business in a log.
            error = ProtocolError.Of(ProtocolErrorKind.WrongPassphrase, "the passphrase does not unwrap this key file (or the file was altered)");
            return DecodeStatus.Invalid;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
            CryptographicOperations.ZeroMemory(master);
        }
    }

    private static bool TryReadParameters(ReadOnlySpan<byte> file, out Argon2Parameters parameters, out ProtocolError error)
    {
        parameters = Argon2Parameters.Default;
        if (file.Length < VersionOffset)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, file, file.Length, $"a key file is {Size} bytes, got {file.Length}");
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(file) != Magic)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadMagic, file, 0, "not a key file (magic is not \"ISGK\")");
            return false;
        }

        if (file.Length > VersionOffset && file[VersionOffset] != CurrentVersion)
        {
            error = ProtocolError.At(ProtocolErrorKind.UnsupportedVersion, file, VersionOffset,
                $"key file version {file[VersionOffset]} (this code reads {CurrentVersion})");
            return false;
        }

        if (file.Length < Size)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, file, file.Length, $"a key file is {Size} bytes, got {file.Length}");
            return false;
        }

        if (file.Length > Size)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, file, Size, $"a key file is {Size} bytes, got {file.Length}");
            return false;
        }

        if (file[KdfOffset] != KdfArgon2id)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, file, KdfOffset, $"unknown KDF id {file[KdfOffset]} (1 = Argon2id)");
            return false;
        }

        var memory = BinaryPrimitives.ReadUInt32BigEndian(file[MemoryOffset..]);
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(file[IterationsOffset..]);
        var parallelism = BinaryPrimitives.ReadUInt32BigEndian(file[ParallelismOffset..]);

        // Checked as uint first: a huge stored value must not wrap into a small legal int.
        if (memory > int.MaxValue || iterations > int.MaxValue || parallelism > int.MaxValue)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, file, MemoryOffset, "Argon2 parameters out of range");
            return false;
        }

        var candidate = new Argon2Parameters((int)memory, (int)iterations, (int)parallelism);
        if (!candidate.TryValidate(out var problem))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, file, MemoryOffset, problem);
            return false;
        }

        parameters = candidate;
        error = default;
        return true;
    }
}

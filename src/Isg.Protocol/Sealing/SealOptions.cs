using Isg.Protocol.Compression;

namespace Isg.Protocol.Sealing;

/// <summary>
/// How <see cref="BlockSealer"/> seals: compression algorithm and level (zstd 1..22, Brotli quality 0..11) and the
/// AEAD. Readers do not need these: every sealed block names its own compression and cipher.
/// </summary>
/// <param name="Compression">Algorithm tried on each block; blocks that do not shrink are stored raw anyway.</param>
/// <param name="Level">zstd level or Brotli quality.</param>
/// <param name="Cipher">The AEAD.</param>
public sealed record SealOptions(CompressionId Compression = CompressionId.Zstd, int Level = 3, CipherId Cipher = CipherId.Aes256Gcm)
{
    /// <summary>zstd level 3, AES-256-GCM.</summary>
    public static SealOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on an unknown algorithm or cipher or a level outside its range.</summary>
    public void Validate()
    {
        switch (Compression)
        {
            case CompressionId.None:
                break;
            case CompressionId.Zstd:
                ArgumentOutOfRangeException.ThrowIfLessThan(Level, BlockCompressor.MinZstdLevel, nameof(Level));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(Level, BlockCompressor.MaxZstdLevel, nameof(Level));
                break;
            case CompressionId.Brotli:
                ArgumentOutOfRangeException.ThrowIfLessThan(Level, BlockCompressor.MinBrotliQuality, nameof(Level));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(Level, BlockCompressor.MaxBrotliQuality, nameof(Level));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "unknown compression algorithm");
        }

        if (Cipher is not (CipherId.Aes256Gcm or CipherId.ChaCha20Poly1305))
        {
            throw new ArgumentOutOfRangeException(nameof(Cipher), Cipher, "unknown cipher");
        }
    }
}

using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Isg.Protocol.Compression;

/// <summary>
/// Compresses and decompresses whole blocks with zstd (libzstd) or Brotli, into caller-provided spans.
/// Holds native zstd contexts and probe buffers that are reused across calls, so it is NOT thread-safe:
/// keep one per worker, and dispose it.
/// </summary>
public sealed class BlockCompressor : IDisposable
{
    /// <summary>Lowest zstd level accepted.</summary>
    public const int MinZstdLevel = 1;

    /// <summary>Highest zstd level accepted.</summary>
    public const int MaxZstdLevel = 22;

    /// <summary>Lowest Brotli quality accepted.</summary>
    public const int MinBrotliQuality = 0;

    /// <summary>Highest Brotli quality accepted.</summary>
    public const int MaxBrotliQuality = 11;

    /// <summary>Sources longer than this are probed on a sample before being compressed in full.</summary>
    public const int ProbeThreshold = 64 * 1024;

    private const int ProbeSliceLength = 4 * 1024;
    private const int ProbeSlices = 4;
    private const int ProbeSampleLength = ProbeSliceLength * ProbeSlices;
    private const int ProbeLevel = 1;

    // The sample must shrink to at most 97% of its size, or the block is treated as incompressible.
    private const int ProbeMaxPercent = 97;

    // 4 MiB window: covers the default maximum block (4 MiB) without Brotli's large-window extension.
    private const int BrotliWindowBits = 22;

    private readonly ZstdCompressionContext _compression;
    private readonly ZstdCompressionContext _probe;
    private readonly ZstdDecompressionContext _decompression;
    private readonly byte[] _probeSample;
    private readonly byte[] _probeOutput;

    private bool _disposed;

    /// <summary>Creates the zstd contexts. Throws <see cref="DllNotFoundException"/> when libzstd.so.1 is missing.</summary>
    public BlockCompressor()
    {
        _compression = CreateCompressionContext();
        _probe = CreateCompressionContext();
        _decompression = ZstdNative.CreateDCtx();
        if (_decompression.IsInvalid)
        {
            throw new OutOfMemoryException("ZSTD_createDCtx failed");
        }

        _probeSample = new byte[ProbeSampleLength];
        _probeOutput = new byte[ZstdBound(ProbeSampleLength)];
    }

    /// <summary>
    /// The largest output <see cref="Compress"/> can produce for <paramref name="sourceLength"/> bytes with any
    /// algorithm. A destination this large never makes a compressible source fall back to raw.
    /// </summary>
    public static int MaxCompressedLength(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        return (int)Math.Min(int.MaxValue, Math.Max(ZstdBound(sourceLength), BrotliEncoder.GetMaxCompressedLength(sourceLength)));
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/> and returns the bytes written, or -1
    /// when the output would not be smaller than the source or would not fit in <paramref name="destination"/>
    /// (the caller then stores the block raw). Sources above <see cref="ProbeThreshold"/> are first probed on a
    /// 16 KiB sample at zstd level 1; when that sample does not shrink by at least 3% the block is declared
    /// incompressible without compressing it, so random or already-compressed data costs next to nothing.
    /// <paramref name="level"/> is the zstd level (1..22) or the Brotli quality (0..11); ignored for
    /// <see cref="CompressionId.None"/>, which always returns -1.
    /// </summary>
    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination, CompressionId algorithm, int level)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ValidateLevel(algorithm, level);
        if (algorithm == CompressionId.None || source.IsEmpty)
        {
            return -1;
        }

        if (source.Length > ProbeThreshold && !LooksCompressible(source))
        {
            return -1;
        }

        // One byte short of the source: output that would not be smaller makes the codec stop early
        // (dstSize_tooSmall / false) instead of finishing a useless frame.
        var target = destination[..Math.Min(destination.Length, source.Length - 1)];
        return algorithm == CompressionId.Zstd
            ? CompressZstd(_compression, source, target, level)
            : CompressBrotli(source, target, level);
    }

    /// <summary>
    /// Decompresses <paramref name="source"/>, which must expand to exactly <paramref name="destination"/>.Length
    /// bytes. Returns false (never throws) on corrupt input, an unknown algorithm or a size mismatch; then
    /// <paramref name="written"/> is 0 and the contents of <paramref name="destination"/> are unspecified.
    /// </summary>
    public bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination, CompressionId algorithm, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        written = 0;
        switch (algorithm)
        {
            case CompressionId.None:
                if (source.Length != destination.Length)
                {
                    return false;
                }

                source.CopyTo(destination);
                written = source.Length;
                return true;

            case CompressionId.Zstd:
                if (!DecompressZstd(source, destination))
                {
                    return false;
                }

                written = destination.Length;
                return true;

            case CompressionId.Brotli:
                if (!BrotliDecoder.TryDecompress(source, destination, out var brotliWritten) || brotliWritten != destination.Length)
                {
                    return false;
                }

                written = brotliWritten;
                return true;

            default:
                return false;
        }
    }

    /// <summary>Frees the native contexts. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _compression.Dispose();
        _probe.Dispose();
        _decompression.Dispose();
    }

    private static ZstdCompressionContext CreateCompressionContext()
    {
        var context = ZstdNative.CreateCCtx();
        return context.IsInvalid ? throw new OutOfMemoryException("ZSTD_createCCtx failed") : context;
    }

    private static int ZstdBound(int sourceLength) => (int)Math.Min(int.MaxValue, ZstdNative.CompressBound((nuint)sourceLength));

    private static void ValidateLevel(CompressionId algorithm, int level)
    {
        switch (algorithm)
        {
            case CompressionId.None:
                return;
            case CompressionId.Zstd:
                ArgumentOutOfRangeException.ThrowIfLessThan(level, MinZstdLevel);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxZstdLevel);
                return;
            case CompressionId.Brotli:
                ArgumentOutOfRangeException.ThrowIfLessThan(level, MinBrotliQuality);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxBrotliQuality);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown compression algorithm");
        }
    }

    // Slices spread over the block (first, last and evenly between) so a compressible header on an
    // incompressible body, or the reverse, is not mistaken for the whole. Only 16 KiB is seen, so a block that
    // is locally random but repeats itself at long range is misjudged as incompressible: acceptable, since
    // dedup catches whole repeated chunks anyway.
    private bool LooksCompressible(ReadOnlySpan<byte> source)
    {
        var sample = _probeSample.AsSpan();
        var stride = (source.Length - ProbeSliceLength) / (ProbeSlices - 1);
        for (var i = 0; i < ProbeSlices; i++)
        {
            source.Slice(i * stride, ProbeSliceLength).CopyTo(sample[(i * ProbeSliceLength)..]);
        }

        var compressed = CompressZstd(_probe, sample, _probeOutput, ProbeLevel);
        return compressed >= 0 && compressed * 100L <= (long)ProbeSampleLength * ProbeMaxPercent;
    }

    private static unsafe int CompressZstd(ZstdCompressionContext context, ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        nuint result;
        fixed (byte* src = &MemoryMarshal.GetReference(source))
        fixed (byte* dst = &MemoryMarshal.GetReference(destination))
        {
            result = ZstdNative.CompressCCtx(context, dst, (nuint)destination.Length, src, (nuint)source.Length, level);
        }

        if (ZstdNative.IsError(result) == 0)
        {
            return (int)result;
        }

        if (ZstdNative.GetErrorCode(result) == ZstdNative.ErrorDestinationTooSmall)
        {
            return -1;
        }

        // Anything but "did not fit" is an allocation failure or a bug, not a property of the data.
        throw new InvalidOperationException($"zstd compression failed: {ZstdNative.ErrorName(result)}");
    }

    private static int CompressBrotli(ReadOnlySpan<byte> source, Span<byte> destination, int quality) =>
        BrotliEncoder.TryCompress(source, destination, out var written, quality, BrotliWindowBits) ? written : -1;

    private unsafe bool DecompressZstd(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = &MemoryMarshal.GetReference(source))
        fixed (byte* dst = &MemoryMarshal.GetReference(destination))
        {
            // A frame that declares another size is rejected before any decoding work.
            var declared = ZstdNative.GetFrameContentSize(src, (nuint)source.Length);
            if (declared == ZstdNative.ContentSizeError || (declared != ZstdNative.ContentSizeUnknown && declared != (ulong)destination.Length))
            {
                return false;
            }

            var result = ZstdNative.DecompressDCtx(_decompression, dst, (nuint)destination.Length, src, (nuint)source.Length);
            return ZstdNative.IsError(result) == 0 && result == (nuint)destination.Length;
        }
    }
}

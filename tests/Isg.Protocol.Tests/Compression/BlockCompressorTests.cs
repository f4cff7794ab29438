using Isg.TestKit;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Compression;

namespace Isg.Protocol.Tests.Compression;

public sealed class BlockCompressorTests : IDisposable
{
    private readonly BlockCompressor _compressor = new();

    public void Dispose() => _compressor.Dispose();

    public static TheoryData<CompressionId, int, int> CompressibleCases() => new()
    {
        { CompressionId.Zstd, 3, 1000 },
        { CompressionId.Zstd, 3, 64 * 1024 },
        { CompressionId.Zstd, 1, 1024 * 1024 },
        { CompressionId.Zstd, 19, 200 * 1024 },
        { CompressionId.Brotli, 3, 1000 },
        { CompressionId.Brotli, 5, 64 * 1024 },
        { CompressionId.Brotli, 1, 1024 * 1024 },
    };

    [Theory]
    [MemberData(nameof(CompressibleCases))]
    public void Compress_Text_ShrinksAndRoundTrips(CompressionId algorithm, int level, int length)
    {
        var text = SampleData.Text(length, seed: length);
        var compressed = new byte[BlockCompressor.MaxCompressedLength(length)];

        var written = _compressor.Compress(text, compressed, algorithm, level);

        Assert.InRange(written, 1, length * 3 / 4);
        var restored = new byte[length];
        Assert.True(_compressor.TryDecompress(compressed.AsSpan(0, written), restored, algorithm, out var restoredLength));
        Assert.Equal(length, restoredLength);
        Assert.Equal(text, restored);
    }

    [Theory]
    [InlineData(CompressionId.Zstd, 10)]
    [InlineData(CompressionId.Zstd, 4096)]
    [InlineData(CompressionId.Zstd, 1024 * 1024)]
    [InlineData(CompressionId.Brotli, 4096)]
    [InlineData(CompressionId.Brotli, 1024 * 1024)]
    public void Compress_RandomBytes_ReturnsMinusOne(CompressionId algorithm, int length)
    {
        var random = SampleData.RandomBytes(length, seed: 7);
        var destination = new byte[BlockCompressor.MaxCompressedLength(length)];

        Assert.Equal(-1, _compressor.Compress(random, destination, algorithm, 3));
    }

    [Fact]
    public void Compress_HalfTextHalfRandomLargeBlock_StillCompresses()
    {
        // The probe samples the whole block: a compressible half must not be missed.
        var block = new byte[1024 * 1024];
        SampleData.Text(block.Length / 2, seed: 1).CopyTo(block, 0);
        SampleData.RandomBytes(block.Length / 2, seed: 2).CopyTo(block, block.Length / 2);
        var destination = new byte[BlockCompressor.MaxCompressedLength(block.Length)];

        var written = _compressor.Compress(block, destination, CompressionId.Zstd, 3);

        Assert.InRange(written, 1, block.Length * 3 / 4);
        var restored = new byte[block.Length];
        Assert.True(_compressor.TryDecompress(destination.AsSpan(0, written), restored, CompressionId.Zstd, out _));
        Assert.Equal(block, restored);
    }

    [Theory]
    [InlineData(CompressionId.None)]
    [InlineData(CompressionId.Zstd)]
    [InlineData(CompressionId.Brotli)]
    public void Compress_EmptySource_ReturnsMinusOne(CompressionId algorithm)
    {
        Assert.Equal(-1, _compressor.Compress([], new byte[64], algorithm, 3));
    }

    [Fact]
    public void Compress_None_ReturnsMinusOneEvenForText()
    {
        var text = SampleData.Text(10_000, seed: 3);
        Assert.Equal(-1, _compressor.Compress(text, new byte[20_000], CompressionId.None, 0));
    }

    [Theory]
    [InlineData(CompressionId.Zstd)]
    [InlineData(CompressionId.Brotli)]
    public void Compress_DestinationTooSmall_ReturnsMinusOne(CompressionId algorithm)
    {
        var text = SampleData.Text(100_000, seed: 4);
        Assert.Equal(-1, _compressor.Compress(text, new byte[100], algorithm, 3));
    }

    [Theory]
    [InlineData(CompressionId.Zstd, 0)]
    [InlineData(CompressionId.Zstd, 23)]
    [InlineData(CompressionId.Brotli, -1)]
    [InlineData(CompressionId.Brotli, 12)]
    [InlineData((CompressionId)9, 3)]
    public void Compress_BadLevelOrAlgorithm_Throws(CompressionId algorithm, int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _compressor.Compress(new byte[10], new byte[100], algorithm, level));
    }

    [Fact]
    public void MaxCompressedLength_CoversRandomInput()
    {
        Assert.True(BlockCompressor.MaxCompressedLength(0) > 0);
        Assert.True(BlockCompressor.MaxCompressedLength(1024 * 1024) > 1024 * 1024);
    }

    [Theory]
    [InlineData(CompressionId.Zstd)]
    [InlineData(CompressionId.Brotli)]
    public void TryDecompress_SizeMismatch_ReturnsFalse(CompressionId algorithm)
    {
        var text = SampleData.Text(5000, seed: 5);
        var compressed = new byte[BlockCompressor.MaxCompressedLength(text.Length)];
        var written = _compressor.Compress(text, compressed, algorithm, 3);
        var frame = compressed.AsSpan(0, written).ToArray();

        Assert.False(_compressor.TryDecompress(frame, new byte[text.Length - 1], algorithm, out var shortWritten));
        Assert.False(_compressor.TryDecompress(frame, new byte[text.Length + 1], algorithm, out var longWritten));
        Assert.Equal(0, shortWritten);
        Assert.Equal(0, longWritten);
    }

    [Theory]
    [InlineData(CompressionId.Zstd)]
    [InlineData(CompressionId.Brotli)]
    public void TryDecompress_TruncatedOrFlippedFrame_NeverThrowsAndNeverFalselySucceedsOnTruncation(CompressionId algorithm)
    {
        var text = SampleData.Text(3000, seed: 6);
        var compressed = new byte[BlockCompressor.MaxCompressedLength(text.Length)];
        var frame = compressed.AsSpan(0, _compressor.Compress(text, compressed, algorithm, 3)).ToArray();
        var output = new byte[text.Length];

        for (var length = 0; length < frame.Length; length++)
        {
            // A shorter frame cannot produce all the bytes: both codecs must notice.
            Assert.False(_compressor.TryDecompress(frame.AsSpan(0, length), output, algorithm, out _), $"prefix {length}");
        }

        for (var offset = 0; offset < frame.Length; offset++)
        {
            // Neither codec checksums here (the AEAD does), so a flip may decode to other bytes: only no exception.
            frame[offset] ^= 0x5a;
            _ = _compressor.TryDecompress(frame, output, algorithm, out _);
            frame[offset] ^= 0x5a;
        }

        Assert.True(_compressor.TryDecompress(frame, output, algorithm, out _));
        Assert.Equal(text, output);
    }

    [Theory]
    [InlineData(CompressionId.Zstd)]
    [InlineData(CompressionId.Brotli)]
    [InlineData(CompressionId.None)]
    [InlineData((CompressionId)7)]
    public void TryDecompress_Garbage_ReturnsFalse(CompressionId algorithm)
    {
        var garbage = SampleData.RandomBytes(1000, seed: 8);
        Assert.False(_compressor.TryDecompress(garbage, new byte[5000], algorithm, out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryDecompress_None_CopiesExactLength()
    {
        var data = SampleData.RandomBytes(100, seed: 9);
        var output = new byte[100];
        Assert.True(_compressor.TryDecompress(data, output, CompressionId.None, out var written));
        Assert.Equal(100, written);
        Assert.Equal(data, output);
    }

    [Fact]
    public void CompressAndDecompress_ArbitraryBytes_RoundTripOrStoreRaw()
    {
        Prop.ForAll<byte[], bool>((data, useBrotli) =>
        {
            var algorithm = useBrotli ? CompressionId.Brotli : CompressionId.Zstd;
            var compressed = new byte[BlockCompressor.MaxCompressedLength(data.Length)];
            var written = _compressor.Compress(data, compressed, algorithm, 3);
            if (written < 0)
            {
                return true;
            }

            var restored = new byte[data.Length];
            return written < data.Length
                && _compressor.TryDecompress(compressed.AsSpan(0, written), restored, algorithm, out var n)
                && n == data.Length
                && restored.AsSpan().SequenceEqual(data);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Dispose_Twice_ThenUse_ThrowsObjectDisposed()
    {
        var compressor = new BlockCompressor();
        compressor.Dispose();
        compressor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => compressor.Compress(new byte[10], new byte[10], CompressionId.Zstd, 3));
    }
}

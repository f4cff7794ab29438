using System.Numerics;
using Isg.Protocol.Chunking;

namespace Isg.Protocol.Tests.Chunking;

/// <summary>Shared drivers for chunker tests: whole-buffer and streamed chunking, and a byte-at-a-time reference FastCDC.</summary>
internal static class ChunkerTestData
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Chunks the whole buffer in one span (isFinal), returning the chunk lengths.</summary>
    public static List<int> ChunkWhole(IChunker chunker, ReadOnlySpan<byte> data)
    {
        var lengths = new List<int>();
        while (!data.IsEmpty)
        {
            var cut = chunker.FindCutPoint(data, isFinal: true);
            Assert.InRange(cut, 1, data.Length);
            lengths.Add(cut);
            data = data[cut..];
        }

        Assert.Equal(0, chunker.FindCutPoint(data, isFinal: true));
        return lengths;
    }

    /// <summary>
    /// Chunks as a streaming caller does: bytes arrive in random pieces of 1..<paramref name="maxPiece"/> bytes and the
    /// chunker only ever sees the bytes received so far from the current chunk start.
    /// </summary>
    public static List<int> ChunkStreamed(IChunker chunker, byte[] data, Random random, int maxPiece)
    {
        var lengths = new List<int>();
        var start = 0;
        var received = 0;
        while (true)
        {
            var isFinal = received == data.Length;
            var window = data.AsSpan(start, received - start);
            var cut = chunker.FindCutPoint(window, isFinal);
            Assert.InRange(cut, 0, window.Length);
            if (cut > 0)
            {
                lengths.Add(cut);
                start += cut;
                continue;
            }

            if (isFinal)
            {
                Assert.Equal(0, window.Length);
                return lengths;
            }

            Assert.True(window.Length < chunker.MaxChunkSize, "a window of MaxChunkSize bytes must always give a cut");
            received = Math.Min(data.Length, received + random.Next(1, maxPiece + 1));
        }
    }

    /// <summary>
    /// FastCDC as the documentation states it, one byte at a time with no tricks: candidate lengths MinSize..MaxSize-1,
    /// hashing from byte MinSize - 64, mask of log2(Average)+2 bits (below Average) or
    /// log2(Average)-2 bits (from Average on) ending at bit 62.
    /// </summary>
    public static int ReferenceCut(ReadOnlySpan<byte> data, ChunkerOptions options, GearTable table, bool isFinal)
    {
        if (data.Length < options.MinSize)
        {
            return isFinal ? data.Length : 0;
        }

        var bits = BitOperations.Log2((uint)options.AverageSize);
        var strict = ((1UL << (bits + 2)) - 1) << (63 - (bits + 2));
        var loose = ((1UL << (bits - 2)) - 1) << (63 - (bits - 2));
        ulong fp = 0;
        for (var i = options.MinSize - 64; i < Math.Min(data.Length, options.MaxSize - 1); i++)
        {
            fp = (fp << 1) + table[data[i]];
            var length = i + 1;
            if (length < options.MinSize)
            {
                continue;
            }

            if ((fp & (length < options.AverageSize ? strict : loose)) == 0)
            {
                return length;
            }
        }

        if (data.Length >= options.MaxSize)
        {
            return options.MaxSize;
        }

        return isFinal ? data.Length : 0;
    }
}

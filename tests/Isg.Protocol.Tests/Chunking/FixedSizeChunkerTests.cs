using Isg.TestKit;
using Isg.Protocol.Chunking;

namespace Isg.Protocol.Tests.Chunking;

public sealed class FixedSizeChunkerTests
{
    [Fact]
    public void FindCutPoint_WholeBuffer_ExactSizesAndShortTail()
    {
        var chunker = new FixedSizeChunker(1000);
        var lengths = ChunkerTestData.ChunkWhole(chunker, new byte[10_123]);
        Assert.Equal([.. Enumerable.Repeat(1000, 10), 123], lengths);
        Assert.Equal(1000, chunker.MaxChunkSize);
    }

    [Fact]
    public void FindCutPoint_ExactMultiple_NoEmptyTail()
    {
        var lengths = ChunkerTestData.ChunkWhole(new FixedSizeChunker(4096), new byte[3 * 4096]);
        Assert.Equal([4096, 4096, 4096], lengths);
    }

    [Theory]
    [InlineData(0, false, 0)]
    [InlineData(0, true, 0)]
    [InlineData(99, false, 0)]
    [InlineData(99, true, 99)]
    [InlineData(100, false, 100)]
    [InlineData(250, false, 100)]
    [InlineData(250, true, 100)]
    public void FindCutPoint_Lengths_ReturnsContractedValue(int length, bool isFinal, int expected)
    {
        Assert.Equal(expected, new FixedSizeChunker(100).FindCutPoint(new byte[length], isFinal));
    }

    [Fact]
    public void FindCutPoint_StreamedInRandomPieces_SameAsWhole()
    {
        var chunker = new FixedSizeChunker(777);
        var data = ChunkerTestData.RandomBytes(50_000, 5);
        var whole = ChunkerTestData.ChunkWhole(chunker, data);
        Assert.Equal(whole, ChunkerTestData.ChunkStreamed(chunker, data, new Random(9), 300));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Ctor_NonPositiveSize_Throws(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedSizeChunker(size));
    }
}

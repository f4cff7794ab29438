using Isg.Protocol.Chunking;

namespace Isg.Protocol.Tests.Chunking;

public sealed class ChunkerOptionsTests
{
    [Fact]
    public void Default_Values_AreDesignSizesAndValid()
    {
        var options = ChunkerOptions.Default;
        Assert.Equal(256 * 1024, options.MinSize);
        Assert.Equal(1024 * 1024, options.AverageSize);
        Assert.Equal(4 * 1024 * 1024, options.MaxSize);
        Assert.Same(options, options.Validate());
    }

    [Theory]
    [InlineData(64, 128, 129)]
    [InlineData(1000, 1024, 3000)]
    [InlineData(100_000, 1 << 25, 64 * 1024 * 1024)]
    public void Validate_InRange_DoesNotThrow(int min, int average, int max)
    {
        var options = new ChunkerOptions(min, average, max);
        Assert.Same(options, options.Validate());
    }

    [Theory]
    [InlineData(63, 128, 256, nameof(ChunkerOptions.MinSize))]
    [InlineData(-1, 128, 256, nameof(ChunkerOptions.MinSize))]
    [InlineData(128, 128, 256, nameof(ChunkerOptions.AverageSize))]
    [InlineData(200, 128, 256, nameof(ChunkerOptions.AverageSize))]
    [InlineData(64, 192, 256, nameof(ChunkerOptions.AverageSize))]
    [InlineData(64, 128, 128, nameof(ChunkerOptions.MaxSize))]
    [InlineData(64, 128, 100, nameof(ChunkerOptions.MaxSize))]
    [InlineData(64, 1 << 25, (64 * 1024 * 1024) + 1, nameof(ChunkerOptions.MaxSize))]
    public void Validate_OutOfRange_ThrowsNamingField(int min, int average, int max, string field)
    {
        var options = new ChunkerOptions(min, average, max);
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal(field, thrown.ParamName);
    }

    [Fact]
    public void FastCdcChunkerCtor_InvalidOptions_Throws()
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(
            () => new FastCdcChunker(new ChunkerOptions(64, 100, 200), GearTable.Default));
        Assert.Equal(nameof(ChunkerOptions.AverageSize), thrown.ParamName);
    }
}

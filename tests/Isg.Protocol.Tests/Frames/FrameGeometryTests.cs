using Isg.Protocol.Frames;

namespace Isg.Protocol.Tests.Frames;

public sealed class FrameGeometryTests
{
    [Fact]
    public void Constructor_1920x1080Cell4Gray4_CountsCellsAndWholeBytes()
    {
        var geometry = new FrameGeometry(1920, 1080, 4, FrameMode.Gray4);

        Assert.Equal(480, geometry.CellsAcross);
        Assert.Equal(270, geometry.CellsDown);
        Assert.Equal(129_600, geometry.CellCount);
        Assert.Equal(259_200, geometry.PayloadBitsPerFrame);
        Assert.Equal(32_400, geometry.PayloadBytesPerFrame);
        Assert.Equal(1920 * 1080, geometry.FrameBytes);
    }

    [Fact]
    public void Constructor_LeftoverPixelsAndPartialByte_RoundsDown()
    {
        var geometry = new FrameGeometry(23, 10, 3, FrameMode.BlackWhite);

        Assert.Equal(21, geometry.CellCount);
        Assert.Equal(21, geometry.PayloadBitsPerFrame);
        Assert.Equal(2, geometry.PayloadBytesPerFrame);
    }

    [Theory]
    [InlineData(64, 64, 0, FrameMode.BlackWhite, "cellSize")]
    [InlineData(64, 64, 11, FrameMode.Gray4, "cellSize")]
    [InlineData(3, 64, 4, FrameMode.Gray4, "width")]
    [InlineData(64, 3, 4, FrameMode.Gray4, "height")]
    [InlineData(16385, 64, 4, FrameMode.Gray4, "width")]
    [InlineData(64, 64, 4, (FrameMode)3, "mode")]
    public void Constructor_OutOfRange_ThrowsNamingTheArgument(int width, int height, int cellSize, FrameMode mode, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FrameGeometry(width, height, cellSize, mode));

        Assert.Equal(name, error.ParamName);
    }
}

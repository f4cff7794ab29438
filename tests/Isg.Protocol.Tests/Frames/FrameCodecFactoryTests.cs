using Isg.Protocol.Frames;
using Xunit.Abstractions;

namespace Isg.Protocol.Tests.Frames;

public sealed class FrameCodecFactoryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(VideoMode.BlackWhite, FrameMode.BlackWhite)]
    [InlineData(VideoMode.Gray4, FrameMode.Gray4)]
    public void Create_GreyMode_ReturnsGrayCodecOfThatGeometry(VideoMode mode, FrameMode frameMode)
    {
        var codec = Assert.IsType<GrayFrameCodec>(FrameCodecFactory.Create(mode, 1920, 1080, 4, 0));

        Assert.Equal(new FrameGeometry(1920, 1080, 4, frameMode), codec.Geometry);
        Assert.Equal(PixelFormat.Gray8, codec.PixelFormat);
    }

    [Fact]
    public void Create_Rgb_ReturnsRgbCodecWithCellAndBits()
    {
        var codec = Assert.IsType<RgbFrameCodec>(FrameCodecFactory.Create(VideoMode.Rgb, 1920, 1080, 1, 8));

        Assert.Equal((1, 8, PixelFormat.Rgb24, 1920 * 1080 * 3), (codec.CellSize, codec.BitsPerChannel, codec.PixelFormat, codec.FrameBytes));
    }

    [Fact]
    public void Create_Qr_ReturnsQrCodecOfTheFixedVersionAndLevel()
    {
        var codec = Assert.IsType<QrFrameCodec>(FrameCodecFactory.Create(VideoMode.Qr, 1920, 1080, 3, 0));

        Assert.Equal((3, FrameCodecFactory.QrVersion, FrameCodecFactory.QrLevel), (codec.ModuleSize, codec.Version, codec.ErrorCorrection));
        Assert.Equal(PixelFormat.Gray8, codec.PixelFormat);
    }

    [Theory]
    [InlineData(VideoMode.BlackWhite, 0, 0, "cellSize")]
    [InlineData(VideoMode.Gray4, 11, 0, "cellSize")]
    [InlineData(VideoMode.Rgb, 0, 8, "cellSize")]
    [InlineData(VideoMode.Rgb, 2, 0, "bitsPerChannel")]
    [InlineData(VideoMode.Rgb, 2, 9, "bitsPerChannel")]
    [InlineData(VideoMode.Qr, 1, 0, "cellSize")]
    [InlineData(VideoMode.Qr, 11, 0, "cellSize")]
    [InlineData((VideoMode)0, 4, 0, "mode")]
    [InlineData((VideoMode)5, 4, 0, "mode")]
    public void Create_InvalidCombination_ThrowsNamingTheArgument(VideoMode mode, int cellSize, int bitsPerChannel, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodecFactory.Create(mode, 1920, 1080, cellSize, bitsPerChannel));

        Assert.Equal(name, error.ParamName);
    }

    [Theory]
    [InlineData(VideoMode.Gray4, "height")]
    [InlineData(VideoMode.Rgb, "height")]
    [InlineData(VideoMode.Qr, "height")]
    public void Create_FrameTooLowForTheMode_ThrowsNamingHeight(VideoMode mode, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodecFactory.Create(mode, 1920, 3, 4, 2));

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void PayloadBytesPerFrame_At1920x1080_MatchesTheMeasuredCapacities()
    {
        (VideoMode Mode, int Cell, int Bits, int Expected)[] profiles =
        [
            (VideoMode.BlackWhite, 4, 0, 16_200),
            (VideoMode.Gray4, 4, 0, 32_400),
            (VideoMode.Gray4, 2, 0, 129_600),
            (VideoMode.Rgb, 1, 8, 6_220_800),
            (VideoMode.Rgb, 2, 4, 777_600),
            (VideoMode.Rgb, 4, 2, 97_200),
            (VideoMode.Rgb, 4, 1, 48_600),
            (VideoMode.Qr, 2, 0, 45 * 665),
            (VideoMode.Qr, 3, 0, 18 * 665),
            (VideoMode.Qr, 4, 0, 8 * 665),
        ];

        foreach (var (mode, cell, bits, expected) in profiles)
        {
            var codec = FrameCodecFactory.Create(mode, 1920, 1080, cell, bits);
            output.WriteLine($"{mode,-10} cell {cell} bits {bits}: {codec.PayloadBytesPerFrame,9:N0} payload bytes per 1920x1080 frame");
            Assert.Equal(expected, codec.PayloadBytesPerFrame);
        }
    }
}

using Isg.Actors.Video;
using Isg.Protocol.Frames;

namespace Isg.Actors.Tests.Video;

public sealed class VideoEncodingTests
{
    [Fact]
    public void ToArguments_H264Lossy_UsesCrfPresetAndYuv420p()
    {
        var encoding = new VideoEncoding(VideoCodec.H264, 23, "veryfast", 30);

        Assert.Equal(["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"], encoding.ToArguments(PixelFormat.Gray8));
        Assert.Equal("mp4", encoding.FileExtension);
        Assert.False(encoding.IsBitExact(PixelFormat.Gray8));
    }

    [Fact]
    public void ToArguments_H264Crf0_IsQp0InTheInputsOwnFormat()
    {
        var encoding = new VideoEncoding(VideoCodec.H264, 0, "ultrafast", 6);

        IReadOnlyList<string> gray = encoding.ToArguments(PixelFormat.Gray8);
        IReadOnlyList<string> rgb = encoding.ToArguments(PixelFormat.Rgb24);

        Assert.Contains("-qp", gray);
        Assert.Equal(["gray", "pc"], [VideoTestFiles.OptionValue(gray, "-pix_fmt"), VideoTestFiles.OptionValue(gray, "-color_range")]);
        Assert.Equal("libx264rgb", rgb[1]);
        Assert.True(encoding.IsBitExact(PixelFormat.Rgb24));
    }

    [Fact]
    public void ToArguments_Vp9_UsesConstantQualityRowMtAndGoodDeadline()
    {
        var encoding = new VideoEncoding(VideoCodec.Vp9, 31, "medium", 30);

        Assert.Equal(
            ["-c:v", "libvpx-vp9", "-crf", "31", "-b:v", "0", "-row-mt", "1", "-deadline", "good", "-cpu-used", "4", "-pix_fmt", "yuv420p"],
            encoding.ToArguments(PixelFormat.Gray8));
        Assert.Equal("mkv", encoding.FileExtension);
        Assert.Equal("matroska", encoding.ContainerFormat);
    }

    [Theory]
    [InlineData(PixelFormat.Gray8, "gray")]
    [InlineData(PixelFormat.Rgb24, "bgr0")]
    public void ToArguments_Ffv1_KeepsTheInputLosslessly(PixelFormat format, string pixelFormat)
    {
        var encoding = VideoEncoding.Lossless(6);

        IReadOnlyList<string> arguments = encoding.ToArguments(format);

        Assert.Equal(["-c:v", "ffv1", "-level", "3", "-slices", "4", "-g", "1", "-pix_fmt", pixelFormat], arguments);
        Assert.True(encoding.IsBitExact(format));
    }

    [Theory]
    [InlineData(VideoCodec.H264, 52, "medium", 30)]
    [InlineData(VideoCodec.Vp9, 64, "medium", 30)]
    [InlineData(VideoCodec.H264, -1, "medium", 30)]
    [InlineData(VideoCodec.H264, 23, "warp-speed", 30)]
    [InlineData(VideoCodec.Ffv1, 0, "medium", 0)]
    [InlineData(VideoCodec.Ffv1, 0, "medium", double.NaN)]
    public void ToArguments_OutOfRange_Throws(VideoCodec codec, int crf, string preset, double fps)
    {
        var encoding = new VideoEncoding(codec, crf, preset, fps);

        Assert.Throws<ArgumentOutOfRangeException>(() => encoding.ToArguments(PixelFormat.Gray8));
    }

    [Fact]
    public void ToArguments_UnknownPixelFormat_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoEncoding.Lossless(6).ToArguments((PixelFormat)2));
    }
}

using Isg.Actors.Video;

namespace Isg.Actors.Tests.Video;

public sealed class FfmpegToolsTests
{
    [Fact]
    public void Resolve_Configured_WinsOverPath()
    {
        Assert.Equal("/nonexistent", FfmpegTools.Resolve("/nonexistent", "ffmpeg", "/usr/bin:/bin"));
    }

    [Fact]
    public void Resolve_NotConfigured_FindsTheFirstMatchOnPath()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        TestFiles.Write(second.Combine("ffmpeg"), [0]);

        string resolved = FfmpegTools.Resolve(" ", "ffmpeg", $"{first.Path}:{second.Path}");

        Assert.Equal(second.Combine("ffmpeg"), resolved);
    }

    [Fact]
    public void Resolve_NowhereOnPath_ReturnsTheBareName()
    {
        using var empty = new TempDirectory();

        Assert.Equal("ffprobe", FfmpegTools.Resolve(null, "ffprobe", empty.Path));
    }

    [Fact]
    public void IsAvailable_ToolsPointNowhere_IsFalse()
    {
        using (FfmpegTools.UseToolPaths("/nonexistent/ffmpeg", "/nonexistent/ffprobe"))
        {
            Assert.False(FfmpegTools.IsAvailable);
            Assert.Equal("/nonexistent/ffmpeg", FfmpegTools.FfmpegPath);
        }

        Assert.True(FfmpegTools.IsAvailable);
    }
}

using Isg.Actors.Video;

namespace Isg.Actors.Tests.Video;

public sealed class ReencodeChannelsTests
{
    [Fact]
    public void All_ListsTheFourNamedChannels()
    {
        Assert.Equal(["youtube-10m", "youtube-3m-720p", "vp9", "light-h264", "lossless-copy"], ReencodeChannels.All.Select(c => c.Name));
    }

    [Fact]
    public void Get_KnownNameInAnyCase_ReturnsTheChannel()
    {
        Assert.Same(ReencodeChannels.YouTube3M720p, ReencodeChannels.Get("YouTube-3M-720p"));
        Assert.Equal((1280, 720), (ReencodeChannels.YouTube3M720p.ScaleWidth, ReencodeChannels.YouTube3M720p.ScaleHeight));
    }

    [Fact]
    public void Get_UnknownName_ThrowsListingTheKnownNames()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => ReencodeChannels.Get("tiktok"));

        Assert.Contains("tiktok", error.Message, StringComparison.Ordinal);
        Assert.All(ReencodeChannels.All, channel => Assert.Contains(channel.Name, error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void YouTube10M_UsesHighProfileAndTheRateCaps()
    {
        IReadOnlyList<string> arguments = ReencodeChannels.YouTube10M.OutputArguments;

        Assert.Equal("high", VideoTestFiles.OptionValue(arguments, "-profile:v"));
        Assert.Equal(["10M", "10M", "20M"], [VideoTestFiles.OptionValue(arguments, "-b:v"), VideoTestFiles.OptionValue(arguments, "-maxrate"), VideoTestFiles.OptionValue(arguments, "-bufsize")]);
        Assert.Equal("mp4", ReencodeChannels.YouTube10M.FileExtension);
    }
}

using Isg.Actors.Backends.YouTube;

namespace Isg.Actors.Tests.Backends.YouTube;

public sealed class YtDlpFormatSelectorTests
{
    // The shape of `yt-dlp -J` for a 1080p upload: muxed and video-only formats at several resolutions.
    private const string Description = """
        {"id": "abc", "formats": [
          {"format_id": "sb0", "vcodec": "none", "acodec": "none", "width": 48, "height": 27, "protocol": "mhtml"},
          {"format_id": "140", "vcodec": "none", "acodec": "mp4a.40.2", "tbr": 129.5, "protocol": "https"},
          {"format_id": "18", "vcodec": "avc1.42001E", "acodec": "mp4a.40.2", "width": 640, "height": 360, "tbr": 500, "protocol": "https"},
          {"format_id": "136", "vcodec": "avc1.4d401f", "acodec": "none", "width": 1280, "height": 720, "tbr": 2500, "protocol": "https"},
          {"format_id": "137", "vcodec": "avc1.640028", "acodec": "none", "width": 1920, "height": 1080, "tbr": 4400, "protocol": "https"},
          {"format_id": "248", "vcodec": "vp9", "acodec": "none", "width": 1920, "height": 1080, "tbr": 5200, "protocol": "https"},
          {"format_id": "270", "vcodec": "avc1.640028", "acodec": "none", "width": 1920, "height": 1080, "tbr": 9000, "protocol": "m3u8_native"},
          {"format_id": "399", "vcodec": "av01.0.08M.08", "acodec": "none", "width": 1920, "height": 1080, "tbr": 3100, "protocol": "https"}
        ]}
        """;

    [Fact]
    public void Select_OriginalResolution_PrefersDirectVideoOnlyH264()
    {
        Assert.Equal("137", YtDlpFormatSelector.Select(Description, 1920, 1080));
    }

    [Fact]
    public void Select_OtherResolution_PicksThatResolutionOnly()
    {
        Assert.Equal("136", YtDlpFormatSelector.Select(Description, 1280, 720));
    }

    [Theory]
    [InlineData(3840, 2160)]
    [InlineData(1080, 1920)]
    public void Select_NoFormatAtTheResolution_ReturnsNull(int width, int height)
    {
        Assert.Null(YtDlpFormatSelector.Select(Description, width, height));
    }

    [Fact]
    public void Select_DirectLinkToOneFileOfUnknownResolution_PicksThatFile()
    {
        // What yt-dlp's generic extractor says of http://127.0.0.1:PORT/download/ID served as video/x-matroska.
        const string direct = """
            {"id": "ID", "direct": true, "extractor": "generic", "formats": [
              {"format_id": "x-matroska", "ext": "mkv", "vcodec": null, "acodec": null, "width": null, "height": null, "protocol": "http",
               "url": "http://127.0.0.1:8765/download/ID"}
            ]}
            """;

        Assert.Equal("x-matroska", YtDlpFormatSelector.Select(direct, 1920, 1080));
    }

    [Theory]
    [InlineData("""{"direct": false, "formats": [{"format_id": "a", "protocol": "http"}]}""")]
    [InlineData("""{"direct": true, "formats": [{"format_id": "a"}, {"format_id": "b"}]}""")]
    [InlineData("""{"direct": true, "formats": [{"format_id": "a", "width": 640, "height": 360, "vcodec": "avc1"}]}""")]
    [InlineData("""{"direct": true, "formats": [{"format_id": "a", "vcodec": "none", "acodec": "mp4a"}]}""")]
    public void Select_NotOneDirectFileOfUnknownResolution_ReturnsNull(string json)
    {
        Assert.Null(YtDlpFormatSelector.Select(json, 1920, 1080));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"formats\": 3}")]
    [InlineData("{\"formats\": [1, null, {\"format_id\": 5}]}")]
    public void Select_UnreadableDescription_ReturnsNull(string json)
    {
        Assert.Null(YtDlpFormatSelector.Select(json, 1920, 1080));
    }
}

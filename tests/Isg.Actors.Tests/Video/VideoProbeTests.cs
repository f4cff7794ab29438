using System.Text;
using Isg.Actors.Video;
using Isg.Protocol.Frames;

namespace Isg.Actors.Tests.Video;

public sealed class VideoProbeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ProbeAsync_Mp4_ReportsSizeRateCodecFramesAndDuration()
    {
        string path = _directory.Combine("v.mp4");
        await VideoTestFiles.WriteRandomAsync(path, 12, 320, 240, PixelFormat.Gray8, new VideoEncoding(VideoCodec.H264, 30, "ultrafast", 6));

        VideoInfo info = await VideoProbe.ProbeAsync(path, CancellationToken.None);

        Assert.Equal((320, 240, 6.0, "h264", 12L), (info.Width, info.Height, info.FramesPerSecond, info.CodecName, info.FrameCount));
        Assert.Equal(2.0, info.Duration!.Value.TotalSeconds, 0.01);
    }

    [Fact]
    public async Task ProbeAsync_MatroskaWithoutCounting_HasNoFrameCountButADuration()
    {
        string path = _directory.Combine("v.mkv");
        await VideoTestFiles.WriteRandomAsync(path, 6, 64, 48, PixelFormat.Gray8, VideoEncoding.Lossless(3));

        VideoInfo quick = await VideoProbe.ProbeAsync(path, CancellationToken.None);
        VideoInfo counted = await VideoProbe.ProbeAsync(path, countFrames: true, CancellationToken.None);

        Assert.Null(quick.FrameCount);
        Assert.Equal(2.0, quick.Duration!.Value.TotalSeconds, 0.01);
        Assert.Equal(6, counted.FrameCount);
    }

    [Theory]
    [InlineData("noise.bin")]
    [InlineData("notes.txt")]
    [InlineData("empty.mp4")]
    public async Task ProbeAsync_NotAVideo_ThrowsBadVideo(string name)
    {
        string path = _directory.Combine(name);
        byte[] contents = name switch
        {
            "noise.bin" => TestFiles.Random(50_000, 9),
            "notes.txt" => Encoding.UTF8.GetBytes("not a video\n"),
            _ => [],
        };
        TestFiles.Write(path, contents);

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(() => VideoProbe.ProbeAsync(path, CancellationToken.None));

        Assert.Equal(VideoToolErrorKind.BadVideo, error.Kind);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_AudioOnly_ThrowsBadVideoNamingNoStream()
    {
        string path = _directory.Combine("tone.wav");
        TestFiles.Write(path, Wave(8000, 8000));

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(() => VideoProbe.ProbeAsync(path, CancellationToken.None));

        Assert.Equal(VideoToolErrorKind.BadVideo, error.Kind);
        Assert.Contains("no video stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_MissingFile_ThrowsFileNotFound()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => VideoProbe.ProbeAsync(_directory.Combine("absent.mp4"), CancellationToken.None));
    }

    [Fact]
    public async Task ProbeAsync_FfprobeMissing_ThrowsNotFound()
    {
        string path = _directory.Combine("x.bin");
        TestFiles.Write(path, [1, 2, 3]);
        using IDisposable tools = FfmpegTools.UseToolPaths("/nonexistent", "/nonexistent");

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(() => VideoProbe.ProbeAsync(path, CancellationToken.None));

        Assert.Equal(VideoToolErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public void Parse_UnknownAverageRate_FallsBackToTheRealRate()
    {
        const string json = """{"streams":[{"codec_name":"vp9","width":640,"height":360,"avg_frame_rate":"0/0","r_frame_rate":"30000/1001"}],"format":{"duration":"4.5"}}""";

        VideoInfo? info = VideoProbe.Parse(json);

        Assert.NotNull(info);
        Assert.Equal(29.97, info.FramesPerSecond, 0.01);
        Assert.Equal(TimeSpan.FromSeconds(4.5), info.Duration);
        Assert.Null(info.FrameCount);
    }

    [Theory]
    [InlineData("""{"streams":[]}""")]
    [InlineData("""{}""")]
    [InlineData("""{"streams":[{"codec_name":"png","width":0,"height":10}]}""")]
    public void Parse_NoUsableStream_ReturnsNull(string json)
    {
        Assert.Null(VideoProbe.Parse(json));
    }

    // A minimal 8-bit mono PCM WAV: a container ffprobe reads, with no video in it.
    private static byte[] Wave(int sampleRate, int samples)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + samples);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(sampleRate);
        writer.Write(sampleRate);
        writer.Write((short)1);
        writer.Write((short)8);
        writer.Write("data"u8);
        writer.Write(samples);
        writer.Write(TestFiles.Random(samples, 4));
        writer.Flush();
        return stream.ToArray();
    }
}

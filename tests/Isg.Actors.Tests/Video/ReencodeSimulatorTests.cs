using Isg.Actors.Video;
using Isg.Protocol.Frames;

namespace Isg.Actors.Tests.Video;

public sealed class ReencodeSimulatorTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> ChannelNames => [.. ReencodeChannels.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(ChannelNames))]
    public async Task RunAsync_EachChannelAt1080p_GivesAVideoOfTheChannelsSize(string name)
    {
        ReencodeChannel channel = ReencodeChannels.Get(name);
        string input = _directory.Combine("in.mkv");
        string output = _directory.Combine("out." + channel.FileExtension);
        await VideoTestFiles.WriteAsync(input, 1920, 1080, PixelFormat.Gray8, VideoEncoding.Lossless(30), VideoTestFiles.CellFrames(4, 1920, 1080, seed: 7));

        await ReencodeSimulator.RunAsync(input, output, channel, null, CancellationToken.None);
        VideoInfo info = await VideoProbe.ProbeAsync(output, countFrames: true, CancellationToken.None);

        Assert.Equal((channel.ScaleWidth ?? 1920, channel.ScaleHeight ?? 1080), (info.Width, info.Height));
        Assert.Equal(4, info.FrameCount);
        Assert.Equal(30, info.FramesPerSecond, 0.01);
    }

    [Fact]
    public async Task RunAsync_720pChannel_Gives1280x720()
    {
        string input = _directory.Combine("in.mkv");
        string output = _directory.Combine("out.mp4");
        await VideoTestFiles.WriteRandomAsync(input, 4, 320, 240, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        await ReencodeSimulator.RunAsync(input, output, ReencodeChannels.Get("youtube-3m-720p"), null, CancellationToken.None);
        VideoInfo info = await VideoProbe.ProbeAsync(output, CancellationToken.None);

        Assert.Equal((1280, 720, "h264", 4L), (info.Width, info.Height, info.CodecName, info.FrameCount));
    }

    [Fact]
    public async Task RunAsync_OneToSixFramesPerSecond_DuplicatesEachFrameAboutSixTimes()
    {
        string input = _directory.Combine("in.mkv");
        string output = _directory.Combine("out.mkv");
        byte[][] frames = await VideoTestFiles.WriteRandomAsync(input, 5, 320, 240, PixelFormat.Gray8, VideoEncoding.Lossless(1));

        await ReencodeSimulator.RunAsync(input, output, ReencodeChannels.LosslessCopy, 6, CancellationToken.None);
        List<byte[]> read = await VideoTestFiles.ReadAllAsync(output, PixelFormat.Gray8);

        Assert.InRange(read.Count, 5 * 6 - 5, 5 * 6 + 1);
        // Every output frame is one of the inputs, in order: duplicated, never blended.
        int source = 0;
        foreach (byte[] frame in read)
        {
            while (source < frames.Length && !frames[source].AsSpan().SequenceEqual(frame))
            {
                source++;
            }

            Assert.True(source < frames.Length, "an output frame is no input frame, or frames came out of order");
        }
    }

    [Fact]
    public async Task RunAsync_SixToTwoFramesPerSecond_DropsFrames()
    {
        string input = _directory.Combine("in.mkv");
        string output = _directory.Combine("out.mkv");
        await VideoTestFiles.WriteRandomAsync(input, 12, 160, 120, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        await ReencodeSimulator.RunAsync(input, output, ReencodeChannels.LosslessCopy, 2, CancellationToken.None);
        VideoInfo info = await VideoProbe.ProbeAsync(output, countFrames: true, CancellationToken.None);

        Assert.InRange(info.FrameCount!.Value, 3, 5);
        Assert.Equal(2, info.FramesPerSecond, 0.01);
    }

    [Fact]
    public async Task RunAsync_LosslessCopy_IsTheIdentity()
    {
        string input = _directory.Combine("in.mkv");
        string output = _directory.Combine("out.mkv");
        byte[][] frames = await VideoTestFiles.WriteRandomAsync(input, 4, 320, 240, PixelFormat.Rgb24, VideoEncoding.Lossless(6));

        await ReencodeSimulator.RunAsync(input, output, ReencodeChannels.LosslessCopy, null, CancellationToken.None);
        List<byte[]> read = await VideoTestFiles.ReadAllAsync(output, PixelFormat.Rgb24);

        Assert.Equal(frames.Length, read.Count);
        Assert.All(Enumerable.Range(0, frames.Length), i => Assert.True(frames[i].AsSpan().SequenceEqual(read[i])));
    }

    [Fact]
    public async Task RunAsync_NotAVideo_ThrowsFailedWithStderrTail()
    {
        string input = _directory.Combine("noise.bin");
        TestFiles.Write(input, TestFiles.Random(10_000, 5));

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(
            () => ReencodeSimulator.RunAsync(input, _directory.Combine("out.mp4"), ReencodeChannels.YouTube10M, null, CancellationToken.None));

        Assert.Equal(VideoToolErrorKind.Failed, error.Kind);
        Assert.Contains("youtube-10m", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(error.StderrTail);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ThrowsOperationCanceled()
    {
        string input = _directory.Combine("in.mkv");
        await VideoTestFiles.WriteRandomAsync(input, 2, 64, 48, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ReencodeSimulator.RunAsync(input, _directory.Combine("out.mkv"), ReencodeChannels.Vp9, null, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Arguments_FpsAndScale_AreOneFilterChainFpsFirst()
    {
        List<string> arguments = ReencodeSimulator.Arguments("in.mkv", "out.mp4", ReencodeChannels.YouTube3M720p, 6);

        Assert.Equal("fps=6,scale=1280:720:flags=bicubic", arguments[arguments.IndexOf("-vf") + 1]);
        Assert.Equal(["-f", "mp4"], arguments[^4..^2]);
    }
}

using Isg.Actors.Video;
using Isg.Protocol.Frames;

namespace Isg.Actors.Tests.Video;

public sealed class FfmpegFrameWriterTests : IDisposable
{
    private const int Width = 320;
    private const int Height = 240;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<VideoCodec, PixelFormat> BitExactEncodings => new()
    {
        { VideoCodec.Ffv1, PixelFormat.Gray8 },
        { VideoCodec.Ffv1, PixelFormat.Rgb24 },
        { VideoCodec.H264, PixelFormat.Gray8 },
        { VideoCodec.H264, PixelFormat.Rgb24 },
        { VideoCodec.Vp9, PixelFormat.Rgb24 },
    };

    [Theory]
    [MemberData(nameof(BitExactEncodings))]
    public async Task WriteFrameAsync_LosslessEncoding_RoundTripsBitExact(VideoCodec codec, PixelFormat format)
    {
        var encoding = new VideoEncoding(codec, 0, "ultrafast", 6);
        string path = _directory.Combine("video." + encoding.FileExtension);

        byte[][] written = await VideoTestFiles.WriteRandomAsync(path, 4, Width / 2, Height / 2, format, encoding);
        List<byte[]> read = await VideoTestFiles.ReadAllAsync(path, format);

        Assert.True(encoding.IsBitExact(format));
        Assert.Equal(written.Length, read.Count);
        for (int i = 0; i < written.Length; i++)
        {
            Assert.True(written[i].AsSpan().SequenceEqual(read[i]), $"frame {i} differs");
        }
    }

    [Fact]
    public async Task WriteFrameAsync_H264Lossy_KeepsSizeAndFrameCountButChangesBytes()
    {
        var encoding = new VideoEncoding(VideoCodec.H264, 23, "ultrafast", 6);
        string path = _directory.Combine("lossy.mp4");

        byte[][] written = await VideoTestFiles.WriteRandomAsync(path, 10, Width, Height, PixelFormat.Gray8, encoding);
        List<byte[]> read = await VideoTestFiles.ReadAllAsync(path, PixelFormat.Gray8);
        VideoInfo info = await VideoProbe.ProbeAsync(path, CancellationToken.None);

        Assert.Equal((Width, Height, "h264", 10L), (info.Width, info.Height, info.CodecName, info.FrameCount));
        Assert.Equal(written.Length, read.Count);
        Assert.All(read, frame => Assert.Equal(Width * Height, frame.Length));
        Assert.False(written[0].AsSpan().SequenceEqual(read[0]));
    }

    [Fact]
    public async Task WriteFrameAsync_GrayLevelsThroughLossyH264_StayNearTheirValues()
    {
        // Grey cells must survive the gray -> yuv420p -> gray range conversions, not just the encoder.
        byte[] levels = [0, 85, 170, 255];
        byte[] frame = new byte[Width * Height];
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = levels[i % Width / 80];
        }

        string path = _directory.Combine("levels.mp4");
        await VideoTestFiles.WriteAsync(path, Width, Height, PixelFormat.Gray8, new VideoEncoding(VideoCodec.H264, 18, "ultrafast", 6), [frame, frame]);
        List<byte[]> read = await VideoTestFiles.ReadAllAsync(path, PixelFormat.Gray8);

        Assert.Equal(2, read.Count);
        for (int column = 0; column < 4; column++)
        {
            // The middle of each band, away from the edges the codec smears.
            int value = read[1][(Height / 2 * Width) + (column * 80) + 40];
            Assert.InRange(value, levels[column] - 3, levels[column] + 3);
        }
    }

    [Fact]
    public async Task WriteFrameAsync_WrongFrameSize_ThrowsArgumentException()
    {
        await using FfmpegFrameWriter writer = FfmpegFrameWriter.Start(_directory.Combine("v.mkv"), Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteFrameAsync(new byte[Width * Height * 3], CancellationToken.None));
        Assert.Equal(Width * Height, writer.FrameBytes);
    }

    [Fact]
    public void Start_FfmpegMissing_ThrowsNotFoundTellingHowToInstall()
    {
        using IDisposable tools = FfmpegTools.UseToolPaths("/nonexistent", "/nonexistent");

        VideoToolException error = Assert.Throws<VideoToolException>(
            () => FfmpegFrameWriter.Start(_directory.Combine("v.mkv"), Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6)));

        Assert.Equal(VideoToolErrorKind.NotFound, error.Kind);
        Assert.Contains("apt-get install ffmpeg", error.Message, StringComparison.Ordinal);
        Assert.Null(error.ExitCode);
    }

    [Fact]
    public async Task WriteFrameAsync_FfmpegRejectsTheEncoding_ThrowsFailedWithStderrTail()
    {
        // libx264 cannot put an odd-sized frame into yuv420p: ffmpeg dies at the first frame, with frames still coming.
        const int oddWidth = 321;
        const int oddHeight = 241;
        byte[] frame = new byte[oddWidth * oddHeight];
        await using FfmpegFrameWriter writer = FfmpegFrameWriter.Start(
            _directory.Combine("odd.mp4"), oddWidth, oddHeight, PixelFormat.Gray8, new VideoEncoding(VideoCodec.H264, 23, "ultrafast", 6));

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(async () =>
        {
            // Far more than the pipe holds, so a write meets the dead ffmpeg unless completion does first.
            for (int i = 0; i < 200; i++)
            {
                await writer.WriteFrameAsync(frame, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        });

        Assert.Equal(VideoToolErrorKind.Failed, error.Kind);
        Assert.Contains("divisible by 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("divisible by 2", error.StderrTail, StringComparison.Ordinal);
        Assert.NotEqual(0, error.ExitCode);
        Assert.True(writer.Tool.HasExited);
    }

    [Fact]
    public async Task WriteFrameAsync_Cancelled_KillsFfmpeg()
    {
        // The output is a FIFO nobody reads, so ffmpeg blocks and the pipe fills: writes hang until cancelled.
        string fifo = _directory.Combine("blocked.mkv");
        TestFiles.MakeFifo(fifo);
        byte[] frame = new byte[Width * Height];
        using var cancellation = new CancellationTokenSource();
        await using FfmpegFrameWriter writer = FfmpegFrameWriter.Start(fifo, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        Task writing = Task.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await writer.WriteFrameAsync(frame, cancellation.Token);
            }
        });
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);
        Assert.True(writer.Tool.HasExited);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteFrameAsync(frame, CancellationToken.None));
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_KillsFfmpegAndKeepsTheOutput()
    {
        string path = _directory.Combine("abandoned.mkv");
        // ffmpeg may be killed before it opens its output; a file already there makes "deletes nothing" checkable
        // either way (ffmpeg truncates it once it opens it).
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        FfmpegFrameWriter writer = FfmpegFrameWriter.Start(path, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));
        await writer.WriteFrameAsync(new byte[Width * Height], CancellationToken.None);
        int pid = writer.Tool.Id;

        await writer.DisposeAsync();

        Assert.False(Directory.Exists($"/proc/{pid}"), "ffmpeg is still running or a zombie");
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task CompleteAsync_AfterFrames_WritesAVideoWithThatManyFrames()
    {
        string path = _directory.Combine("no-extension");

        await VideoTestFiles.WriteRandomAsync(path, 7, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));
        VideoInfo info = await VideoProbe.ProbeAsync(path, countFrames: true, CancellationToken.None);

        Assert.Equal(new VideoInfo(Width, Height, 6, "ffv1", 7, info.Duration), info);
    }
}

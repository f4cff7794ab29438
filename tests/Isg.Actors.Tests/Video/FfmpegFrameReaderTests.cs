using Isg.Actors.Video;
using Isg.Protocol.Frames;

namespace Isg.Actors.Tests.Video;

public sealed class FfmpegFrameReaderTests : IDisposable
{
    private const int Width = 320;
    private const int Height = 240;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Start_WithoutScale_ProbesTheVideoSize()
    {
        string path = _directory.Combine("v.mkv");
        await VideoTestFiles.WriteRandomAsync(path, 2, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Rgb24);

        Assert.Equal((Width, Height, Width * Height * 3), (reader.Width, reader.Height, reader.FrameBytes));
    }

    [Fact]
    public async Task ReadFrameAsync_WithScale_GivesFramesOfThatSize()
    {
        string path = _directory.Combine("v.mkv");
        await VideoTestFiles.WriteRandomAsync(path, 3, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));

        List<byte[]> frames = await VideoTestFiles.ReadAllAsync(path, PixelFormat.Gray8, 160, 96);

        Assert.Equal(3, frames.Count);
        Assert.All(frames, frame => Assert.Equal(160 * 96, frame.Length));
    }

    [Fact]
    public async Task ReadFrameAsync_LargerBuffer_FillsOnlyTheFirstFrameBytes()
    {
        string path = _directory.Combine("v.mkv");
        byte[][] written = await VideoTestFiles.WriteRandomAsync(path, 1, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));
        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Gray8, Width, Height);
        byte[] buffer = new byte[reader.FrameBytes + 10];
        buffer.AsSpan(reader.FrameBytes).Fill(0xAB);

        Assert.True(await reader.ReadFrameAsync(buffer, CancellationToken.None));
        Assert.False(await reader.ReadFrameAsync(buffer, CancellationToken.None));

        Assert.True(written[0].AsSpan().SequenceEqual(buffer.AsSpan(0, reader.FrameBytes)));
        Assert.All(buffer[reader.FrameBytes..], b => Assert.Equal(0xAB, b));
        Assert.Equal(1, reader.FramesRead);
    }

    [Theory]
    [InlineData(VideoCodec.Ffv1)]
    [InlineData(VideoCodec.H264)]
    public async Task ReadFrameAsync_TruncatedFile_GivesFewerFramesOrFails(VideoCodec codec)
    {
        var encoding = new VideoEncoding(codec, 0, "ultrafast", 6);
        string path = _directory.Combine("cut." + encoding.FileExtension);
        await VideoTestFiles.WriteRandomAsync(path, 20, Width, Height, PixelFormat.Gray8, encoding);
        using (FileStream file = File.OpenWrite(path))
        {
            file.SetLength(file.Length / 2);
        }

        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Gray8, Width, Height);
        byte[] buffer = new byte[reader.FrameBytes];
        VideoToolException? error = null;
        try
        {
            while (await reader.ReadFrameAsync(buffer, CancellationToken.None))
            {
            }
        }
        catch (VideoToolException ex)
        {
            error = ex;
        }

        Assert.InRange(reader.FramesRead, 0, 19);
        if (error is not null)
        {
            Assert.Equal(VideoToolErrorKind.Failed, error.Kind);
            Assert.NotEmpty(error.StderrTail);
        }
    }

    [Fact]
    public async Task ReadFrameAsync_MostFramesUndecodable_ThrowsBadVideo()
    {
        var encoding = new VideoEncoding(VideoCodec.H264, 0, "ultrafast", 6);
        string path = _directory.Combine("damaged." + encoding.FileExtension);
        await VideoTestFiles.WriteRandomAsync(path, 20, Width, Height, PixelFormat.Gray8, encoding);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        // Frame data only (past the header, short of the index that MP4 writes at the end): every third byte, so nearly
        // every frame's slices are broken while the container still opens.
        for (int i = bytes.Length / 10; i < bytes.Length * 8 / 10; i += 3)
        {
            bytes[i] ^= 0x5a;
        }

        await File.WriteAllBytesAsync(path, bytes);
        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Gray8, Width, Height);
        byte[] buffer = new byte[reader.FrameBytes];

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(async () =>
        {
            while (await reader.ReadFrameAsync(buffer, CancellationToken.None))
            {
            }
        });

        Assert.True(error.Kind == VideoToolErrorKind.BadVideo, error.Message);
        Assert.Equal(69, error.ExitCode);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFrameAsync_NotAVideo_ThrowsFailedWithStderrTail()
    {
        string path = _directory.Combine("noise.bin");
        TestFiles.Write(path, TestFiles.Random(100_000, 3));
        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Gray8, Width, Height);

        VideoToolException error = await Assert.ThrowsAsync<VideoToolException>(
            async () => await reader.ReadFrameAsync(new byte[reader.FrameBytes], CancellationToken.None));

        Assert.Equal(VideoToolErrorKind.Failed, error.Kind);
        Assert.Contains("Invalid data", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, reader.FramesRead);
        Assert.False(await reader.ReadFrameAsync(new byte[reader.FrameBytes], CancellationToken.None));
    }

    [Fact]
    public async Task ReadFrameAsync_CancelledMidStream_LeavesNoFfmpegProcess()
    {
        // A FIFO nobody writes: ffmpeg blocks opening it, so the read hangs until it is cancelled.
        string fifo = _directory.Combine("stalled.mkv");
        TestFiles.MakeFifo(fifo);
        using var cancellation = new CancellationTokenSource();
        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(fifo, PixelFormat.Gray8, Width, Height);

        ValueTask<bool> reading = reader.ReadFrameAsync(new byte[reader.FrameBytes], cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reading);
        Assert.True(reader.Tool.HasExited);
        Assert.False(await reader.ReadFrameAsync(new byte[reader.FrameBytes], CancellationToken.None));
    }

    [Fact]
    public async Task ReadFrameAsync_CancelledAfterSomeFrames_KillsFfmpeg()
    {
        string path = _directory.Combine("v.mkv");
        await VideoTestFiles.WriteRandomAsync(path, 30, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));
        using var cancellation = new CancellationTokenSource();
        await using FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Gray8, Width, Height);
        byte[] buffer = new byte[reader.FrameBytes];
        Assert.True(await reader.ReadFrameAsync(buffer, cancellation.Token));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadFrameAsync(buffer, cancellation.Token));
        Assert.True(reader.Tool.HasExited);
        Assert.Equal(1, reader.FramesRead);
    }

    [Fact]
    public async Task DisposeAsync_BeforeTheEnd_KillsFfmpegQuietly()
    {
        string path = _directory.Combine("v.mkv");
        await VideoTestFiles.WriteRandomAsync(path, 30, Width, Height, PixelFormat.Gray8, VideoEncoding.Lossless(6));
        FfmpegFrameReader reader = FfmpegFrameReader.Start(path, PixelFormat.Gray8, Width, Height);
        Assert.True(await reader.ReadFrameAsync(new byte[reader.FrameBytes], CancellationToken.None));
        int pid = reader.Tool.Id;

        await reader.DisposeAsync();

        Assert.False(Directory.Exists($"/proc/{pid}"), "ffmpeg is still running or a zombie");
    }

    [Fact]
    public void Start_FfmpegMissing_ThrowsNotFound()
    {
        using IDisposable tools = FfmpegTools.UseToolPaths("/nonexistent", "/nonexistent");

        VideoToolException error = Assert.Throws<VideoToolException>(() => FfmpegFrameReader.Start("any.mkv", PixelFormat.Gray8, Width, Height));

        Assert.Equal(VideoToolErrorKind.NotFound, error.Kind);
        Assert.Contains("apt-get install ffmpeg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_OnlyOneScaleSize_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => FfmpegFrameReader.Start("any.mkv", PixelFormat.Gray8, Width, null));
    }
}

using Isg.Actors.Video;
using Isg.Protocol.Frames;
using Isg.Protocol.Keys;

namespace Isg.Actors.Tests.Video;

/// <summary>What platforms do to videos, done on purpose: lost, repeated, reordered, damaged and foreign frames,
/// truncation, another frame rate, another resolution, another codec.</summary>
public sealed class VideoChannelDamageTests : IDisposable
{
    private static readonly VideoProfile s_gray = SmallProfiles.Make(VideoMode.BlackWhite, 640, 360, 4, 1, VideoEncoding.Lossless(30), innerParity: 32);

    // About 2 KB per frame, so a 40 KB file spreads over five groups of 4 data + 2 parity frames.
    private static readonly VideoProfile s_small = SmallProfiles.Make(VideoMode.BlackWhite, 320, 240, 2, 1, VideoEncoding.Lossless(30));

    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Decode_DroppedDuplicatedReorderedAndDamagedFrames_IsBitExact()
    {
        var (original, video) = await EncodeAsync(s_small, 40_000);
        var frames = await ReadFramesAsync(video, PixelFormat.Gray8);
        var header = s_small.HeaderRepeats;
        var random = new Random(9);
        // Group size is 4 data + 2 parity frames: lose one frame of group 0, garble one of group 1 beyond repair,
        // repeat a frame, and swap two neighbours.
        random.NextBytes(frames[header + 8].AsSpan(0, frames[header + 8].Length / 2));
        (frames[header + 3], frames[header + 4]) = (frames[header + 4], frames[header + 3]);
        frames.Insert(header + 10, frames[header + 9]);
        frames.RemoveAt(header + 1);
        var damaged = await WriteFramesAsync(frames, 320, 240, PixelFormat.Gray8);

        var result = await DecodeAsync(damaged);

        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
        Assert.True(result.Stats.Rebuilt >= 2, $"rebuilt {result.Stats.Rebuilt}");
        Assert.True(result.Stats.Damaged >= 1);
        Assert.True(result.Stats.Duplicates >= 1);
    }

    [Fact]
    public async Task Decode_FramesOfAnotherVideoSplicedIn_AreIgnored()
    {
        var (original, video) = await EncodeAsync(s_small, 20_000);
        SmallProfiles.WriteRandomFile(_temp.Combine("other.bin"), 20_000, 77);
        var other = _temp.Combine("other.mkv");
        await VideoFileEncoder.EncodeAsync(new VideoEncodeRequest(_temp.Combine("other.bin"), other, s_small, null,
            Argon2Parameters.ForTests), null, CancellationToken.None);
        var frames = await ReadFramesAsync(video, PixelFormat.Gray8);
        var foreign = await ReadFramesAsync(other, PixelFormat.Gray8);
        frames.InsertRange(frames.Count / 2, foreign.Skip(s_small.HeaderRepeats).Take(3));
        var spliced = await WriteFramesAsync(frames, 320, 240, PixelFormat.Gray8);

        var result = await DecodeAsync(spliced);

        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
        Assert.Equal(3 + s_small.HeaderRepeats, result.Stats.Foreign);
    }

    [Fact]
    public async Task Decode_VideoCutShort_IsUnrecoverableAndWritesNothing()
    {
        var (_, video) = await EncodeAsync(s_small, 40_000);
        var frames = await ReadFramesAsync(video, PixelFormat.Gray8);
        var cut = await WriteFramesAsync(frames.Take(frames.Count / 2).ToList(), 320, 240, PixelFormat.Gray8);

        var error = await Assert.ThrowsAsync<VideoException>(() => DecodeAsync(cut));

        Assert.Equal(VideoErrorKind.Unrecoverable, error.Kind);
        Assert.False(File.Exists(_temp.Combine("out.bin")));
    }

    [Fact]
    public async Task Decode_VideoFileTruncatedOnDisk_FailsTyped()
    {
        var (_, video) = await EncodeAsync(s_small, 40_000);
        var bytes = await File.ReadAllBytesAsync(video);
        var truncated = _temp.Combine("truncated.mkv");
        await File.WriteAllBytesAsync(truncated, bytes.AsMemory(0, bytes.Length / 2));

        var error = await Record.ExceptionAsync(() => DecodeAsync(truncated));

        Assert.True(error is VideoException { Kind: VideoErrorKind.Unrecoverable } or VideoToolException, error?.ToString() ?? "no error");
        Assert.False(File.Exists(_temp.Combine("out.bin")));
    }

    [Fact]
    public async Task Decode_VideoWithoutIsgFrames_IsNotIsgVideo()
    {
        var random = new Random(1);
        var frames = Enumerable.Range(0, 10).Select(_ =>
        {
            var frame = new byte[320 * 240];
            random.NextBytes(frame);
            return frame;
        }).ToList();
        var noise = await WriteFramesAsync(frames, 320, 240, PixelFormat.Gray8);
        await File.WriteAllTextAsync(_temp.Combine("notes.txt"), "not a video at all");

        var fromNoise = await Assert.ThrowsAsync<VideoException>(() => DecodeAsync(noise));
        var fromText = await Assert.ThrowsAsync<VideoException>(() => DecodeAsync(_temp.Combine("notes.txt")));

        Assert.Equal(VideoErrorKind.NotIsgVideo, fromNoise.Kind);
        Assert.Equal(VideoErrorKind.NotIsgVideo, fromText.Kind);
    }

    [Fact]
    public async Task Decode_FrameRateRaisedSixfold_IsBitExact()
    {
        var profile = s_small with { Parameters = s_small.Parameters with { FramesPerSecond = 1 }, Encoding = VideoEncoding.Lossless(1) };
        var (original, video) = await EncodeAsync(profile, 20_000);
        var written = (await ReadFramesAsync(video, PixelFormat.Gray8)).Count;
        var returned = _temp.Combine("six.mkv");
        await ReencodeSimulator.RunAsync(video, returned, ReencodeChannels.LosslessCopy, 6, CancellationToken.None);

        var result = await DecodeAsync(returned);

        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
        Assert.True(result.Stats.FramesRead >= 5 * written, $"{result.Stats.FramesRead} frames read of {written} written");
        Assert.True(result.Stats.Duplicates >= 4 * (written - profile.HeaderRepeats), $"{result.Stats.Duplicates} duplicates");
    }

    [Fact]
    public async Task Decode_ResolutionDoubledByThePlatform_IsBitExact()
    {
        var (original, video) = await EncodeAsync(s_gray, 50_000);
        var channel = new ReencodeChannel("upscale", "ffv1 at twice the size", ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "gray"], "matroska", 1280, 720);
        var returned = _temp.Combine("big.mkv");
        await ReencodeSimulator.RunAsync(video, returned, channel, null, CancellationToken.None);
        Assert.Equal(1280, (await VideoProbe.ProbeAsync(returned, CancellationToken.None)).Width);

        await DecodeAsync(returned);

        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
    }

    [Fact]
    public async Task Decode_ReturnedAsLossyVp9_IsBitExact()
    {
        var (original, video) = await EncodeAsync(s_gray, 50_000);
        var returned = _temp.Combine("vp9.mkv");
        await ReencodeSimulator.RunAsync(video, returned, ReencodeChannels.Vp9, null, CancellationToken.None);

        var result = await DecodeAsync(returned);

        Assert.Equal(original, await File.ReadAllBytesAsync(_temp.Combine("out.bin")));
        Assert.Equal("vp9", (await VideoProbe.ProbeAsync(returned, CancellationToken.None)).CodecName);
        Assert.True(result.Stats.FramesRead > 0);
    }

    public void Dispose() => _temp.Dispose();

    private async Task<(byte[] Original, string Video)> EncodeAsync(VideoProfile profile, int length)
    {
        var original = SmallProfiles.WriteRandomFile(_temp.Combine("in.bin"), length, length);
        var video = _temp.Combine("v.mkv");
        await VideoFileEncoder.EncodeAsync(new VideoEncodeRequest(_temp.Combine("in.bin"), video, profile, null, Argon2Parameters.ForTests),
            null, CancellationToken.None);
        return (original, video);
    }

    private Task<VideoDecodeResult> DecodeAsync(string video) =>
        VideoFileDecoder.DecodeAsync(new VideoDecodeRequest(video, _temp.Combine("out.bin"), null), null, CancellationToken.None);

    private static async Task<List<byte[]>> ReadFramesAsync(string video, PixelFormat format)
    {
        var frames = new List<byte[]>();
        var reader = FfmpegFrameReader.Start(video, format);
        await using (reader)
        {
            while (true)
            {
                var frame = new byte[reader.FrameBytes];
                if (!await reader.ReadFrameAsync(frame, CancellationToken.None))
                {
                    return frames;
                }

                frames.Add(frame);
            }
        }
    }

    private async Task<string> WriteFramesAsync(IReadOnlyList<byte[]> frames, int width, int height, PixelFormat format)
    {
        var path = _temp.Combine($"edited-{Guid.NewGuid():N}.mkv");
        var writer = FfmpegFrameWriter.Start(path, width, height, format, VideoEncoding.Lossless(30));
        await using (writer)
        {
            foreach (var frame in frames)
            {
                await writer.WriteFrameAsync(frame, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        }

        return path;
    }
}

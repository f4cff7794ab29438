using Isg.Actors.Video;
using Isg.Protocol.Frames;

namespace Isg.Actors.Tests.Video;

/// <summary>Small videos of seeded random frames, written and read through our own ffmpeg pipes.</summary>
internal static class VideoTestFiles
{
    /// <summary>Seeded random frames of <paramref name="width"/> × <paramref name="height"/> in <paramref name="format"/>.</summary>
    public static byte[][] RandomFrames(int count, int width, int height, PixelFormat format, int seed)
    {
        var frames = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            frames[i] = TestFiles.Random(width * height * (int)format, seed + i);
        }

        return frames;
    }

    /// <summary>Gray frames of random black and white 8×8 cells, like ISG data frames (and far cheaper to encode than noise).</summary>
    public static byte[][] CellFrames(int count, int width, int height, int seed)
    {
        var random = new Random(seed);
        var frames = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            byte[] frame = new byte[width * height];
            for (int cellY = 0; cellY < height; cellY += 8)
            {
                for (int cellX = 0; cellX < width; cellX += 8)
                {
                    byte level = random.Next(2) == 0 ? (byte)0 : (byte)255;
                    for (int y = cellY; y < Math.Min(cellY + 8, height); y++)
                    {
                        frame.AsSpan((y * width) + cellX, Math.Min(8, width - cellX)).Fill(level);
                    }
                }
            }

            frames[i] = frame;
        }

        return frames;
    }

    /// <summary>Encodes <paramref name="frames"/> into <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, int width, int height, PixelFormat format, VideoEncoding encoding, IEnumerable<byte[]> frames)
    {
        await using FfmpegFrameWriter writer = FfmpegFrameWriter.Start(path, width, height, format, encoding);
        foreach (byte[] frame in frames)
        {
            await writer.WriteFrameAsync(frame, CancellationToken.None);
        }

        await writer.CompleteAsync(CancellationToken.None);
    }

    /// <summary>Writes <paramref name="count"/> random frames and returns them.</summary>
    public static async Task<byte[][]> WriteRandomAsync(string path, int count, int width, int height, PixelFormat format, VideoEncoding encoding, int seed = 1)
    {
        byte[][] frames = RandomFrames(count, width, height, format, seed);
        await WriteAsync(path, width, height, format, encoding, frames);
        return frames;
    }

    /// <summary>Decodes every frame of <paramref name="path"/> (at its own size unless a scale size is given).</summary>
    public static async Task<List<byte[]>> ReadAllAsync(string path, PixelFormat format, int? width = null, int? height = null)
    {
        await using FfmpegFrameReader reader = await FfmpegFrameReader.StartAsync(path, format, width, height, CancellationToken.None);
        var frames = new List<byte[]>();
        byte[] buffer = new byte[reader.FrameBytes];
        while (await reader.ReadFrameAsync(buffer, CancellationToken.None))
        {
            frames.Add(buffer.ToArray());
        }

        Assert.Equal(frames.Count, reader.FramesRead);
        return frames;
    }

    /// <summary>The argument after <paramref name="option"/> in an ffmpeg argument list.</summary>
    public static string OptionValue(IReadOnlyList<string> arguments, string option)
    {
        for (int i = 0; i + 1 < arguments.Count; i++)
        {
            if (arguments[i] == option)
            {
                return arguments[i + 1];
            }
        }

        throw new Xunit.Sdk.XunitException($"No {option} in: {string.Join(' ', arguments)}");
    }
}

using Isg.Actors.Video;
using Isg.Protocol.Frames;
using Isg.Protocol.Video;

namespace Isg.Actors.Tests.Video;

/// <summary>Profiles with small frames, so a whole encode/decode through real ffmpeg takes a fraction of a second.</summary>
internal static class SmallProfiles
{
    public static VideoProfile Lossless { get; } = Make(VideoMode.Rgb, 320, 240, 1, 8, VideoEncoding.Lossless(30));

    public static VideoProfile Make(
        VideoMode mode, int width, int height, int cell, int bits, VideoEncoding encoding,
        int innerParity = 16, int groupData = 4, int groupParity = 2, int repeat = 1) =>
        new($"test-{mode}", "small frames for tests",
            new VideoParameters(mode, width, height, cell, bits, innerParity, groupData, groupParity, repeat, encoding.FramesPerSecond),
            encoding, HeaderRepeats: 2);

    public static byte[] WriteRandomFile(string path, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }
}

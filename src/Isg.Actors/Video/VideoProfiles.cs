using Isg.Protocol.Frames;
using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>
/// The named channel settings of <c>isg encode --profile</c>, each measured through its channel (docs/benchmarks.md
/// has the densities): <c>lossless</c> for storage that keeps every bit, <c>youtube</c> bit-exact through a 10 Mbit/s
/// 1080p re-encode, <c>paranoid</c> bit-exact through 3 Mbit/s at 720p, <c>dense</c> for light compression.
/// </summary>
public static class VideoProfiles
{
    /// <summary>FFV1 colour frames, one byte per channel per pixel: the densest; for channels that keep every bit.</summary>
    public static VideoProfile Lossless { get; } = new(
        "lossless", "FFV1 (lossless) RGB, 1x1 cells, 8 bits per channel",
        new VideoParameters(VideoMode.Rgb, 1280, 720, 1, 8, 4, 16, 1, 1, 30),
        VideoEncoding.Lossless(30), HeaderRepeats: 2);

    /// <summary>Black/white 4x4 cells at 1080p30 with strong inner and outer codes: survives YouTube's ~10 Mbit/s re-encode.</summary>
    public static VideoProfile YouTube { get; } = new(
        "youtube", "H.264 1080p30, black/white 4x4 cells, RS 48/255 per frame, 32+6 frames per group",
        new VideoParameters(VideoMode.BlackWhite, 1920, 1080, 4, 1, 48, 32, 6, 1, 30),
        new VideoEncoding(VideoCodec.H264, 18, "veryfast", 30), HeaderRepeats: 3);

    /// <summary>Black/white 8x8 cells, each frame shown twice: survives a 3 Mbit/s re-encode at 720p.</summary>
    public static VideoProfile Paranoid { get; } = new(
        "paranoid", "H.264 1080p30, black/white 8x8 cells shown twice, RS 64/255 per frame, 16+8 frames per group",
        new VideoParameters(VideoMode.BlackWhite, 1920, 1080, 8, 1, 64, 16, 8, 2, 30),
        new VideoEncoding(VideoCodec.H264, 18, "veryfast", 30), HeaderRepeats: 3);

    /// <summary>Four grey levels in 4x4 cells: twice the youtube density, for channels that re-encode at high quality
    /// (bit-exact through the light-h264 channel, crf 20; not through bitrate-capped ones).</summary>
    public static VideoProfile Dense { get; } = new(
        "dense", "H.264 1080p30, four grey levels in 4x4 cells, RS 32/255 per frame, 32+4 frames per group",
        new VideoParameters(VideoMode.Gray4, 1920, 1080, 4, 1, 32, 32, 4, 1, 30),
        new VideoEncoding(VideoCodec.H264, 14, "veryfast", 30), HeaderRepeats: 3);

    /// <summary>Every profile, in the order the CLI lists them.</summary>
    public static IReadOnlyList<VideoProfile> All { get; } = [Lossless, YouTube, Dense, Paranoid];

    /// <summary>The profile called <paramref name="name"/> (case-insensitive); <see cref="ArgumentException"/> listing the names otherwise.</summary>
    public static VideoProfile Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown profile '{name}'; choose one of {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
}

namespace Isg.Actors.Video;

/// <summary>The named re-encode channels: rough models of platforms, for choosing profiles and for tests.</summary>
public static class ReencodeChannels
{
    /// <summary>YouTube's high-bitrate H.264 (roughly what a 1080p upload keeps): 10 Mbit/s, same size and rate.</summary>
    public static readonly ReencodeChannel YouTube10M = new(
        "youtube-10m",
        "libx264 high profile, preset medium, 10 Mbit/s (maxrate 10M, bufsize 20M), yuv420p, GOP 60, 2 B-frames; same size and frame rate",
        H264(bitrate: "10M", bufferSize: "20M"),
        "mp4");

    /// <summary>A 720p H.264 rendition: scaled to 1280×720, 3 Mbit/s. The output stays 720p; readers scale back.</summary>
    public static readonly ReencodeChannel YouTube3M720p = new(
        "youtube-3m-720p",
        "scaled to 1280x720 (bicubic), libx264 high profile, preset medium, 3 Mbit/s (maxrate 3M, bufsize 6M), yuv420p, GOP 60, 2 B-frames",
        H264(bitrate: "3M", bufferSize: "6M"),
        "mp4",
        1280,
        720);

    /// <summary>A VP9 rendition at 6 Mbit/s, as platforms serve to browsers.</summary>
    public static readonly ReencodeChannel Vp9 = new(
        "vp9",
        "libvpx-vp9, 6 Mbit/s, deadline good, cpu-used 4, row-mt, yuv420p; same size and frame rate",
        ["-c:v", "libvpx-vp9", "-b:v", "6M", "-deadline", "good", "-cpu-used", "4", "-row-mt", "1", "-pix_fmt", "yuv420p"],
        "matroska");

    /// <summary>A high-quality H.264 re-encode (constant quality, bitrate follows the content), as platforms that keep
    /// quality rather than a bitrate budget do; the channel the dense profile is made for.</summary>
    public static readonly ReencodeChannel LightH264 = new(
        "light-h264",
        "libx264 preset medium, crf 20 (no bitrate cap), yuv420p; same size and frame rate",
        ["-c:v", "libx264", "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p"],
        "mp4");

    /// <summary>The identity channel: an FFV1 re-encode that changes no pixel (for tests).</summary>
    public static readonly ReencodeChannel LosslessCopy = new(
        "lossless-copy",
        "ffv1 level 3 re-encode in the input's pixel format: lossless, the identity channel",
        ["-c:v", "ffv1", "-level", "3", "-slices", "4", "-g", "1"],
        "matroska");

    /// <summary>Every channel, in a fixed order.</summary>
    public static IReadOnlyList<ReencodeChannel> All { get; } = [YouTube10M, YouTube3M720p, Vp9, LightH264, LosslessCopy];

    /// <summary>The channel called <paramref name="name"/> (case-insensitive); unknown names throw <see cref="ArgumentException"/> listing the known ones.</summary>
    public static ReencodeChannel Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (ReencodeChannel channel in All)
        {
            if (string.Equals(channel.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return channel;
            }
        }

        throw new ArgumentException(
            $"Unknown re-encode channel '{name}'; known channels: {string.Join(", ", All.Select(c => c.Name))}.", nameof(name));
    }

    private static string[] H264(string bitrate, string bufferSize) =>
    [
        "-c:v", "libx264", "-profile:v", "high", "-preset", "medium",
        "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bufferSize,
        "-pix_fmt", "yuv420p", "-g", "60", "-bf", "2",
    ];
}

using System.Globalization;
using Isg.Protocol.Frames;

namespace Isg.Actors.Video;

/// <summary>
/// How ffmpeg encodes frames: codec, quality (<see cref="Crf"/>; 0 means lossless), x264 preset and frame rate.
/// H.264 lossy: <c>libx264 -preset P -crf N -pix_fmt yuv420p</c>; H.264 with Crf 0: <c>-qp 0</c>, bit-exact
/// (<c>gray</c> tagged full range, or <c>libx264rgb</c> for rgb24). VP9: <c>libvpx-vp9 -crf N -b:v 0 -row-mt 1
/// -deadline good -cpu-used 4</c>, yuv420p; Crf 0 gives <c>-lossless 1</c> (bit-exact for rgb24 through gbrp only).
/// FFV1 is always lossless and ignores Crf and Preset.
/// </summary>
public sealed record VideoEncoding(VideoCodec Codec, int Crf, string Preset, double FramesPerSecond)
{
    /// <summary>Largest CRF libx264 accepts.</summary>
    public const int MaxH264Crf = 51;

    /// <summary>Largest CRF libvpx-vp9 accepts.</summary>
    public const int MaxVp9Crf = 63;

    private static readonly string[] s_x264Presets =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"];

    /// <summary>FFV1 at <paramref name="framesPerSecond"/>: lossless for gray and rgb24.</summary>
    public static VideoEncoding Lossless(double framesPerSecond) => new(VideoCodec.Ffv1, 0, "medium", framesPerSecond);

    /// <summary>The container file extension, without the dot: <c>mp4</c> for H.264, <c>mkv</c> otherwise.</summary>
    public string FileExtension => Codec == VideoCodec.H264 ? "mp4" : "mkv";

    /// <summary>The ffmpeg muxer name for <c>-f</c> (so the output path needs no particular extension).</summary>
    public string ContainerFormat => Codec == VideoCodec.H264 ? "mp4" : "matroska";

    /// <summary>True when decoding gives back exactly the frames written in <paramref name="input"/> format.</summary>
    public bool IsBitExact(PixelFormat input) => Codec switch
    {
        VideoCodec.Ffv1 => true,
        VideoCodec.H264 => Crf == 0,
        VideoCodec.Vp9 => Crf == 0 && input == PixelFormat.Rgb24,
        _ => false,
    };

    /// <summary>
    /// The output-side ffmpeg arguments (codec, quality, pixel format), without the output path or muxer.
    /// Throws <see cref="ArgumentOutOfRangeException"/> for an unknown format, a CRF outside the codec's range,
    /// an unknown x264 preset or a non-positive frame rate.
    /// </summary>
    public IReadOnlyList<string> ToArguments(PixelFormat input)
    {
        Validate(input);
        string crf = Crf.ToString(CultureInfo.InvariantCulture);
        return Codec switch
        {
            VideoCodec.H264 when Crf == 0 && input == PixelFormat.Gray8 =>
                // ffmpeg's h264 decoder hands 4:0:0 back as yuv420p; only a full-range tag stops it rescaling the levels.
                ["-c:v", "libx264", "-preset", Preset, "-qp", "0", "-pix_fmt", "gray", "-color_range", "pc"],
            VideoCodec.H264 when Crf == 0 =>
                // libx264 proper would go through YUV, which is not lossless for RGB.
                ["-c:v", "libx264rgb", "-preset", Preset, "-qp", "0", "-pix_fmt", "rgb24"],
            VideoCodec.H264 => ["-c:v", "libx264", "-preset", Preset, "-crf", crf, "-pix_fmt", "yuv420p"],
            VideoCodec.Vp9 when Crf == 0 =>
                ["-c:v", "libvpx-vp9", "-lossless", "1", "-row-mt", "1", "-deadline", "good", "-cpu-used", "4",
                 "-pix_fmt", input == PixelFormat.Rgb24 ? "gbrp" : "yuv444p"],
            VideoCodec.Vp9 =>
                ["-c:v", "libvpx-vp9", "-crf", crf, "-b:v", "0", "-row-mt", "1", "-deadline", "good", "-cpu-used", "4",
                 "-pix_fmt", "yuv420p"],
            _ => ["-c:v", "ffv1", "-level", "3", "-slices", "4", "-g", "1",
                  "-pix_fmt", input == PixelFormat.Rgb24 ? "bgr0" : "gray"],
        };
    }

    private void Validate(PixelFormat input)
    {
        if (input is not (PixelFormat.Gray8 or PixelFormat.Rgb24))
        {
            throw new ArgumentOutOfRangeException(nameof(input), input, "Unknown pixel format.");
        }

        if (!double.IsFinite(FramesPerSecond) || FramesPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), FramesPerSecond, "The frame rate must be positive.");
        }

        int maxCrf = Codec switch
        {
            VideoCodec.H264 => MaxH264Crf,
            VideoCodec.Vp9 => MaxVp9Crf,
            VideoCodec.Ffv1 => int.MaxValue,
            _ => throw new ArgumentOutOfRangeException(nameof(Codec), Codec, "Unknown codec."),
        };
        if (Crf < 0 || Crf > maxCrf)
        {
            throw new ArgumentOutOfRangeException(nameof(Crf), Crf, $"The CRF must be 0..{maxCrf} for {Codec}.");
        }

        if (Codec == VideoCodec.H264 && Array.IndexOf(s_x264Presets, Preset) < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Preset), Preset, $"Unknown x264 preset; use one of {string.Join(", ", s_x264Presets)}.");
        }
    }
}

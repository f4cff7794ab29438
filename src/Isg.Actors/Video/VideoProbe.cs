using System.Globalization;
using System.Text.Json;

namespace Isg.Actors.Video;

/// <summary>
/// Asks ffprobe about the first video stream of a file
/// (<c>ffprobe -v error -select_streams v:0 -show_entries stream=… -of json</c>).
/// </summary>
public static class VideoProbe
{
    /// <summary>
    /// Probes <paramref name="path"/>. Throws <see cref="FileNotFoundException"/> when it does not exist,
    /// <see cref="VideoToolException"/> with <see cref="VideoToolErrorKind.BadVideo"/> when ffprobe cannot read it or
    /// finds no video stream, and <see cref="VideoToolErrorKind.NotFound"/> when ffprobe is missing.
    /// </summary>
    public static Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken) =>
        ProbeAsync(path, countFrames: false, cancellationToken);

    /// <summary>
    /// As <see cref="ProbeAsync(string, CancellationToken)"/>; with <paramref name="countFrames"/>, ffprobe also
    /// demuxes the whole file to count packets, so <see cref="VideoInfo.FrameCount"/> is known for containers
    /// (Matroska) that do not record it. That reads the file once (no decoding).
    /// </summary>
    public static async Task<VideoInfo> ProbeAsync(string path, bool countFrames, CancellationToken cancellationToken)
    {
        CheckExists(path);
        ToolProcess tool = ToolProcess.Start(FfmpegTools.FfprobePath, Arguments(path, countFrames), keepStdin: false);
        await using var toolScope = tool.ConfigureAwait(false);
        string json;
        using (var reader = new StreamReader(tool.Output))
        {
            json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        int exitCode = await tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return Interpret(tool, path, json, exitCode);
    }

    /// <summary>Blocking form of <see cref="ProbeAsync(string, CancellationToken)"/>, for synchronous starts.</summary>
    internal static VideoInfo Probe(string path)
    {
        CheckExists(path);
        ToolProcess tool = ToolProcess.Start(FfmpegTools.FfprobePath, Arguments(path, countFrames: false), keepStdin: false);
        try
        {
            string json;
            using (var reader = new StreamReader(tool.Output))
            {
                json = reader.ReadToEnd();
            }

            return Interpret(tool, path, json, tool.WaitForExit());
        }
        finally
        {
            // ffprobe has exited here (or is killed on an exception), so this completes at once.
            tool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Parses ffprobe's JSON; null when it names no usable video stream.</summary>
    internal static VideoInfo? Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("streams", out JsonElement streams)
            || streams.ValueKind != JsonValueKind.Array
            || streams.GetArrayLength() == 0)
        {
            return null;
        }

        JsonElement stream = streams[0];
        int width = Integer(stream, "width") is long w and > 0 and <= int.MaxValue ? (int)w : 0;
        int height = Integer(stream, "height") is long h and > 0 and <= int.MaxValue ? (int)h : 0;
        if (width == 0 || height == 0)
        {
            return null;
        }

        string codec = stream.TryGetProperty("codec_name", out JsonElement name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()!
            : "unknown";
        double fps = Rate(stream, "avg_frame_rate") ?? Rate(stream, "r_frame_rate") ?? 0;
        long? frames = Integer(stream, "nb_frames") ?? Integer(stream, "nb_read_packets");
        double? seconds = Real(stream, "duration")
            ?? (root.TryGetProperty("format", out JsonElement format) ? Real(format, "duration") : null);
        TimeSpan? duration = seconds is double s && s >= 0 && s < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(s) : null;
        return new VideoInfo(width, height, fps, codec, frames, duration);
    }

    /// <summary>ffmpeg's URL for a local path: the <c>file:</c> protocol, so names with ':' or a leading '-' are taken literally.</summary>
    internal static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    private static void CheckExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No video file at {path}.", path);
        }
    }

    private static List<string> Arguments(string path, bool countFrames)
    {
        List<string> arguments = ["-hide_banner", "-v", "error", "-select_streams", "v:0"];
        if (countFrames)
        {
            arguments.Add("-count_packets");
        }

        arguments.AddRange([
            "-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,nb_read_packets,duration:format=duration",
            "-of", "json",
            "-i", FileUrl(path),
        ]);
        return arguments;
    }

    private static VideoInfo Interpret(ToolProcess tool, string path, string json, int exitCode)
    {
        if (exitCode != 0)
        {
            throw tool.Error(VideoToolErrorKind.BadVideo, $"cannot read {path} as a video", exitCode);
        }

        VideoInfo? info;
        try
        {
            info = Parse(json);
        }
        catch (JsonException ex)
        {
            throw tool.Error(VideoToolErrorKind.BadVideo, $"gave unreadable output for {path}", exitCode, ex);
        }

        return info ?? throw tool.Error(VideoToolErrorKind.BadVideo, $"found no video stream in {path}", exitCode);
    }

    private static long? Integer(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out long number) => number,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long number) => number,
            _ => null,
        };
    }

    private static double? Real(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
                && double.IsFinite(number) => number,
            _ => null,
        };
    }

    // ffprobe writes rates as "num/den"; "0/0" means unknown.
    private static double? Rate(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string text = value.GetString()!;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !long.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out long numerator)
            || !long.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long denominator)
            || numerator <= 0 || denominator <= 0)
        {
            return null;
        }

        return (double)numerator / denominator;
    }
}

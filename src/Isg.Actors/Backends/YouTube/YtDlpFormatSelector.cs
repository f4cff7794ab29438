using System.Globalization;
using System.Text.Json;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Chooses, from yt-dlp's <c>-J</c> description of a video, the format that gives back our frames best: video at
/// exactly the resolution we uploaded (the "original" one; a rescaled format would blur the cells), preferring a video
/// -only stream over direct HTTPS, then H.264, then the highest bitrate. yt-dlp is then run with that format id, never
/// with a "best" expression that could pick a rescaled one.
/// </summary>
public static class YtDlpFormatSelector
{
    /// <summary>The format id for a <paramref name="width"/>x<paramref name="height"/> video in <paramref name="json"/>, or null when none matches (or the JSON is unreadable).</summary>
    public static string? Select(string json, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("formats", out var formats) || formats.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            string? best = null;
            (int, int, int, double) bestScore = default;
            foreach (var format in formats.EnumerateArray())
            {
                if (format.ValueKind != JsonValueKind.Object
                    || Text(format, "format_id") is not { Length: > 0 } id
                    || Text(format, "vcodec") is null or "none"
                    || Number(format, "width") != width
                    || Number(format, "height") != height)
                {
                    continue;
                }

                var videoOnly = Text(format, "acodec") is null or "none" ? 1 : 0;
                var https = Text(format, "protocol") is "https" or "http" ? 1 : 0;
                var h264 = Text(format, "vcodec")!.StartsWith("avc1", StringComparison.Ordinal) ? 1 : 0;
                var score = (videoOnly, https, h264, Number(format, "tbr") ?? 0);
                if (best is null || score.CompareTo(bestScore) > 0)
                {
                    best = id;
                    bestScore = score;
                }
            }

            return best;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble()
        : element.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null;
}

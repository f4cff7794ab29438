using System.Globalization;
using System.Text.Json;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Chooses, from yt-dlp's <c>-J</c> description of a video, the format that gives back our frames best: video at
/// exactly the resolution we uploaded (the "original" one; a rescaled format would blur the cells), preferring a video
/// -only stream over direct HTTPS, then H.264, then the highest bitrate. yt-dlp is then run with that format id, never
/// with a "best" expression that could pick a rescaled one. A direct link to a file (yt-dlp's generic extractor: the
/// description says <c>"direct": true</c> and has one format, whose resolution it cannot tell) is the uploaded file
/// itself, so that one format is chosen; decoding checks the frames either way.
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

            if (best is null
                && document.RootElement.TryGetProperty("direct", out var direct) && direct.ValueKind == JsonValueKind.True
                && formats.GetArrayLength() == 1 && formats[0] is { ValueKind: JsonValueKind.Object } only
                && Text(only, "format_id") is { Length: > 0 } onlyId
                && Number(only, "width") is null && Number(only, "height") is null
                && Text(only, "vcodec") is not "none")
            {
                best = onlyId;
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

using System.Text.Json;

namespace Isg.Actors.Healing;

/// <summary>The last finished whole-repository pass, as stored in the catalogue config (JSON) for <c>isg health</c>.</summary>
public sealed record ScrubPassSummary(DateTimeOffset StartedAt, DateTimeOffset FinishedAt, long Shards, long Bytes, int Bad, int Repaired, int Lost)
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>How long the pass took.</summary>
    public TimeSpan Duration => FinishedAt - StartedAt;

    /// <summary>The stored form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Parses the stored form; null when absent or unreadable (health then shows no last pass).</summary>
    public static ScrubPassSummary? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ScrubPassSummary>(json, s_json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

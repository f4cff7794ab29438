using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isg.Actors.Repositories;

/// <summary>The repository's marker file: non-secret identity and format version.</summary>
public sealed record RepositoryMarker(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] DateTimeOffset Created)
{
    /// <summary>The format name every marker carries.</summary>
    public const string FormatName = "isg-repository";

    /// <summary>The layout version this code reads and writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Serialises the marker as JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryMarkerJson.Default.RepositoryMarker);

    /// <summary>Parses and validates a marker; throws <see cref="RepositoryException"/> (Damaged) when it is not one.</summary>
    public static RepositoryMarker Parse(ReadOnlySpan<byte> json, string path)
    {
        RepositoryMarker? marker;
        try
        {
            marker = JsonSerializer.Deserialize(json, RepositoryMarkerJson.Default.RepositoryMarker);
        }
        catch (JsonException e)
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged, $"{path} is not a valid repository marker: {e.Message}", e);
        }

        if (marker is null || marker.Format != FormatName || string.IsNullOrEmpty(marker.Id))
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged, $"{path} is not an Isg repository marker");
        }

        if (marker.Version > CurrentVersion)
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged,
                $"{path} has repository format {marker.Version}; this isg reads up to {CurrentVersion}: upgrade isg");
        }

        return marker;
    }
}

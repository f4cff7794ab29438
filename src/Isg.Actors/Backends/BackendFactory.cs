using System.Text.Json;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends;

/// <summary>
/// The one place that turns a catalogue backend record (type + settings JSON) into a running backend, and that
/// writes the settings of a new one. Platform backends plug in here by type name.
/// </summary>
public static class BackendFactory
{
    /// <summary>The type of a folder on this machine; settings {"path": P}, P absolute or relative to the repository root.</summary>
    public const string LocalType = "local";

    /// <summary>Every type this build can open.</summary>
    public static IReadOnlyList<string> Types { get; } = [LocalType];

    /// <summary>
    /// Opens the backend <paramref name="record"/> describes, paths resolved against <paramref name="repositoryRoot"/>.
    /// Throws <see cref="ArgumentException"/> for an unknown type or unreadable settings.
    /// </summary>
    public static IStorageBackend Open(BackendRecord record, string repositoryRoot, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return record.Type switch
        {
            LocalType => new LocalBlockStore(new LocalBlockStoreOptions(LocalPath(record, repositoryRoot)) { Name = record.Name },
                loggerFactory.CreateLogger<LocalBlockStore>()),
            var other => throw new ArgumentException($"backend '{record.Name}' has unknown type '{other}'; known: {string.Join(", ", Types)}"),
        };
    }

    /// <summary>The settings JSON of a local backend at <paramref name="path"/>.</summary>
    public static string LocalSettings(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = path });
    }

    /// <summary>The full folder path of local backend <paramref name="record"/>; throws <see cref="ArgumentException"/> when its settings name none.</summary>
    public static string LocalPath(BackendRecord record, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(repositoryRoot);
        string? path;
        try
        {
            using var settings = JsonDocument.Parse(record.SettingsJson);
            path = settings.RootElement.ValueKind == JsonValueKind.Object
                && settings.RootElement.TryGetProperty("path", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"backend '{record.Name}' has unreadable settings: {e.Message}", e);
        }

        return string.IsNullOrEmpty(path)
            ? throw new ArgumentException($"backend '{record.Name}' settings name no path")
            : Path.GetFullPath(path, repositoryRoot);
    }
}

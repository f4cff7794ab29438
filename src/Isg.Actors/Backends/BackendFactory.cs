using System.Text.Json;
using System.Globalization;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Backends.Testing;
using Isg.Actors.Backends.Video;
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

    /// <summary>
    /// The type of a folder of ISGv2 videos that objects are packed into; settings {"path": P, "profile": name,
    /// "packSize": bytes}, profile and pack size optional (lossless, 64 MiB).
    /// </summary>
    public const string VideoType = "video";

    /// <summary>
    /// TEST ONLY: a folder that behaves as an unreliable remote platform (<see cref="TestRemoteBackend"/>); settings
    /// {"path": P}. Opens only when ISG_ENABLE_TEST_BACKENDS=1.
    /// </summary>
    public const string TestRemoteType = "testremote";

    /// <summary>Every type this build can open.</summary>
    public static IReadOnlyList<string> Types { get; } = [LocalType, VideoType];

    /// <summary>
    /// Opens the backend <paramref name="record"/> describes, paths resolved against <paramref name="repositoryRoot"/>,
    /// without an upload queue. Throws <see cref="ArgumentException"/> for an unknown type or unreadable settings.
    /// </summary>
    public static IStorageBackend Open(BackendRecord record, string repositoryRoot, ILoggerFactory loggerFactory) =>
        Open(record, repositoryRoot, loggerFactory, null);

    /// <summary>
    /// Opens the backend <paramref name="record"/> describes, paths resolved against <paramref name="repositoryRoot"/>.
    /// With <paramref name="services"/>, a remote type (not local or video) is put behind a persistent upload queue
    /// (<see cref="QueuedBackend"/>, outside every other decorator), spooled under its <see cref="StateDirectory"/>.
    /// Throws <see cref="ArgumentException"/> for an unknown type or unreadable settings.
    /// </summary>
    public static IStorageBackend Open(BackendRecord record, string repositoryRoot, ILoggerFactory loggerFactory, BackendServices? services)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        IStorageBackend backend = record.Type switch
        {
            LocalType => new LocalBlockStore(new LocalBlockStoreOptions(LocalPath(record, repositoryRoot)) { Name = record.Name },
                loggerFactory.CreateLogger<LocalBlockStore>()),
            VideoType => new VideoPackingBackend(VideoOptions(record, repositoryRoot), loggerFactory.CreateLogger<VideoPackingBackend>()),
            TestRemoteType => new TestRemoteBackend(record.Name, LocalPath(record, repositoryRoot), loggerFactory.CreateLogger<TestRemoteBackend>()),
            var other => throw new ArgumentException($"backend '{record.Name}' has unknown type '{other}'; known: {string.Join(", ", Types)}"),
        };

        return services is null || IsLocalType(record.Type)
            ? backend
            : new QueuedBackend(backend, services.Catalog, Path.Combine(StateDirectory(repositoryRoot, record.Name), "spool"), services.Time,
                loggerFactory.CreateLogger<QueuedBackend>());
    }

    /// <summary>Whether backends of <paramref name="type"/> live on this machine (and so are never queued).</summary>
    public static bool IsLocalType(string type) => type is LocalType or VideoType;

    /// <summary>
    /// The folder where backend <paramref name="name"/> of the repository at <paramref name="repositoryRoot"/> keeps its
    /// own state (a platform's <see cref="Remote.RemoteObjectIndex"/>, upload sessions): <c>backends/NAME</c>.
    /// </summary>
    public static string StateDirectory(string repositoryRoot, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryRoot);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Path.Combine(repositoryRoot, "backends", name);
    }

    /// <summary>The settings JSON of a local backend at <paramref name="path"/>.</summary>
    public static string LocalSettings(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = path });
    }

    /// <summary>
    /// The settings JSON of a video backend at <paramref name="path"/> packing with profile <paramref name="profile"/>
    /// (a <see cref="Isg.Actors.Video.VideoProfiles"/> name) into packs of <paramref name="packSize"/> bytes.
    /// </summary>
    public static string VideoSettings(string path, string profile, long packSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(profile);
        return JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["path"] = path,
            ["profile"] = profile,
            ["packSize"] = packSize.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The options of video backend <paramref name="record"/>; <see cref="ArgumentException"/> on bad settings.</summary>
    public static VideoPackingBackendOptions VideoOptions(BackendRecord record, string repositoryRoot)
    {
        var path = LocalPath(record, repositoryRoot);
        var profile = Isg.Actors.Video.VideoProfiles.Lossless;
        var packSize = VideoPackingBackendOptions.DefaultPackSize;
        using (var settings = JsonDocument.Parse(record.SettingsJson))
        {
            var root = settings.RootElement;
            if (root.TryGetProperty("profile", out var name) && name.ValueKind == JsonValueKind.String)
            {
                profile = Isg.Actors.Video.VideoProfiles.Get(name.GetString()!);
            }

            if (root.TryGetProperty("packSize", out var size)
                && !(size.ValueKind == JsonValueKind.String && long.TryParse(size.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out packSize)))
            {
                throw new ArgumentException($"backend '{record.Name}' has an unreadable packSize setting: {size}");
            }
        }

        var options = new VideoPackingBackendOptions(path) { Name = record.Name, Profile = profile, PackSize = packSize };
        options.Validate();
        return options;
    }

    /// <summary>The full folder path of local (or video) backend <paramref name="record"/>; throws <see cref="ArgumentException"/> when its settings name none.</summary>
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

using System.Text.Json;
using System.Globalization;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Backends.Testing;
using Isg.Actors.Backends.Video;
using Isg.Actors.Backends.YouTube;
using Isg.Actors.Catalog;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends;

/// <summary>
/// The one place that turns a catalogue backend record (type + settings JSON) into a running backend, and that
/// writes the settings of a new one. Platform backends plug in here by type name.
/// </summary>
public static partial class BackendFactory
{
    /// <summary>The type of a folder on this machine; settings {"path": P}, P absolute or relative to the repository root.</summary>
    public const string LocalType = "local";

    /// <summary>
    /// The type of a folder of ISGv2 videos that objects are packed into; settings {"path": P, "profile": name,
    /// "packSize": bytes}, profile and pack size optional (lossless, 64 MiB).
    /// </summary>
    public const string VideoType = "video";

    /// <summary>
    /// The type of a YouTube channel that objects are packed into as unlisted ISGv2 videos; settings {"profile": name
    /// (default youtube), "packSize": bytes, "apiBaseUrl": URL, "tokenUrl": URL, "downloadMode": "yt-dlp" or "direct",
    /// "downloadUrl": URL with {id}, "chunkSize": bytes, "dailyQuota": units}, all optional (apiBaseUrl and tokenUrl
    /// are for tests: tokenUrl defaults to apiBaseUrl + "token" when only apiBaseUrl is given). Secrets: clientId,
    /// clientSecret, refreshToken. Its state (spool, indexes, id map, quota) is under <see cref="StateDirectory"/>.
    /// </summary>
    public const string YouTubeType = "youtube";

    /// <summary>
    /// TEST ONLY: a folder that behaves as an unreliable remote platform (<see cref="TestRemoteBackend"/>); settings
    /// {"path": P}. Opens only when ISG_ENABLE_TEST_BACKENDS=1.
    /// </summary>
    public const string TestRemoteType = "testremote";

    /// <summary>Every type this build can open.</summary>
    public static IReadOnlyList<string> Types { get; } = [LocalType, VideoType, IpfsType, S3Type, YouTubeType, DiscordType, TelegramType];

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
            YouTubeType => YouTubeBackend.Open(YouTubeOptions(record, repositoryRoot) with
            {
                // Google may hand out a new refresh token; it is sealed into the catalogue like the first one.
                RefreshTokenRotated = services is null
                    ? null
                    : (token, cancellationToken) => services.Secrets.SaveAsync(
                        record.Name, new Dictionary<string, string>(StringComparer.Ordinal) { ["refreshToken"] = token }, cancellationToken),
            }, loggerFactory),
            IpfsType => new Ipfs.IpfsBackend(IpfsOptions(record, repositoryRoot), loggerFactory.CreateLogger<Ipfs.IpfsBackend>()),
            S3Type => new S3.S3Backend(S3Options(record), loggerFactory.CreateLogger<S3.S3Backend>()),
            DiscordType => new Discord.DiscordBackend(DiscordOptions(record, repositoryRoot), loggerFactory.CreateLogger<Discord.DiscordBackend>()),
            TelegramType => new Telegram.TelegramBackend(TelegramOptions(record, repositoryRoot), loggerFactory.CreateLogger<Telegram.TelegramBackend>()),
            TestRemoteType => new TestRemoteBackend(record.Name, LocalPath(record, repositoryRoot), loggerFactory.CreateLogger<TestRemoteBackend>()),
            var other => throw new ArgumentException($"backend '{record.Name}' has unknown type '{other}'; known: {string.Join(", ", Types)}"),
        };

        if (IsLocalType(record.Type))
        {
            return backend;
        }

        // Platform backends get retries, a rate limit, a circuit breaker and metrics, and (with services) a persistent
        // upload queue outside all of them; folders on this machine need none.
        // What the stack learns (health, failures, bytes) is persisted in the state directory for `isg backend list`.
        var stacked = Resilience.BackendStack.Wrap(backend, Resilience.BackendStackOptions.ForType(record.Type), TimeProvider.System,
            loggerFactory.CreateLogger("Isg.Actors.Backends." + record.Name), new Resilience.BackendStatusFile(StatusPath(repositoryRoot, record.Name), TimeProvider.System));
        return services is null
            ? stacked
            : new QueuedBackend(stacked, services.Catalog, Path.Combine(StateDirectory(repositoryRoot, record.Name), "spool"), services.Time,
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

    /// <summary>Where a platform backend's persisted <see cref="Resilience.BackendStatus"/> is: <c>backends/NAME/status.json</c>.</summary>
    public static string StatusPath(string repositoryRoot, string name) =>
        Path.Combine(StateDirectory(repositoryRoot, name), Resilience.BackendStatusFile.FileName);

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

    /// <summary>
    /// The options of YouTube backend <paramref name="record"/> (credentials from its Secrets, state under
    /// <see cref="StateDirectory"/>); <see cref="ArgumentException"/> on bad settings. The caller may add a
    /// <see cref="YouTubeBackendOptions.RefreshTokenRotated"/> hook with <c>with</c> before opening.
    /// </summary>
    public static YouTubeBackendOptions YouTubeOptions(BackendRecord record, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(record);
        var options = new YouTubeBackendOptions(StateDirectory(repositoryRoot, record.Name))
        {
            Name = record.Name,
            ClientId = record.Secrets.GetValueOrDefault("clientId"),
            ClientSecret = record.Secrets.GetValueOrDefault("clientSecret"),
            RefreshToken = record.Secrets.GetValueOrDefault("refreshToken"),
        };
        var settings = StringSettings(record);
        var api = Url(record, settings, "apiBaseUrl");
        options = options with
        {
            Profile = Setting(settings, "profile") is { } profile ? Isg.Actors.Video.VideoProfiles.Get(profile) : options.Profile,
            PackSize = Number(record, settings, "packSize") ?? options.PackSize,
            ChunkSize = (int)Math.Min(int.MaxValue, Number(record, settings, "chunkSize") ?? options.ChunkSize),
            DailyQuota = Number(record, settings, "dailyQuota") ?? options.DailyQuota,
            ApiBaseUrl = api ?? options.ApiBaseUrl,
            TokenEndpoint = Url(record, settings, "tokenUrl") ?? (api is null ? options.TokenEndpoint : new Uri(api, "token")),
            DownloadMode = Setting(settings, "downloadMode") switch
            {
                null or "yt-dlp" => YouTubeDownloadMode.YtDlp,
                "direct" => YouTubeDownloadMode.Direct,
                var other => throw new ArgumentException($"backend '{record.Name}' has an unknown downloadMode '{other}' (yt-dlp or direct)"),
            },
            DirectDownloadUrl = Setting(settings, "downloadUrl"),
        };
        options.Validate();
        return options;
    }

    /// <summary>
    /// The settings JSON of a YouTube backend: <paramref name="profile"/>, <paramref name="packSize"/>, and the optional
    /// <paramref name="apiBaseUrl"/> (tests), <paramref name="downloadMode"/> ("yt-dlp" or "direct") and
    /// <paramref name="downloadUrl"/> (with {id}); nulls are left out.
    /// </summary>
    public static string YouTubeSettings(string profile, long packSize, string? apiBaseUrl = null, string? downloadMode = null, string? downloadUrl = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["profile"] = profile,
            ["packSize"] = packSize.ToString(CultureInfo.InvariantCulture),
        };
        AddOptional(settings, "apiBaseUrl", apiBaseUrl);
        AddOptional(settings, "downloadMode", downloadMode);
        AddOptional(settings, "downloadUrl", downloadUrl);
        return JsonSerializer.Serialize(settings);
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

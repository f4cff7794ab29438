using System.Text.Json;
using System.Globalization;
using Isg.Actors.Backends.Ipfs;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.S3;
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

    /// <summary>The type of an IPFS daemon's RPC API; settings {"api": URL} (e.g. http://127.0.0.1:5001).</summary>
    public const string IpfsType = "ipfs";

    /// <summary>
    /// The type of an S3-compatible bucket; settings {"endpoint": URL, "bucket": B, "region": R, "prefix": P}, region
    /// and prefix optional; credentials from the record's secrets "accessKey" and "secretKey".
    /// </summary>
    public const string S3Type = "s3";

    /// <summary>Every type this build can open.</summary>
    public static IReadOnlyList<string> Types { get; } = [LocalType, VideoType, IpfsType, S3Type];

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
            VideoType => new VideoPackingBackend(VideoOptions(record, repositoryRoot), loggerFactory.CreateLogger<VideoPackingBackend>()),
            IpfsType => new IpfsBackend(IpfsOptions(record, repositoryRoot), loggerFactory.CreateLogger<IpfsBackend>()),
            S3Type => new S3Backend(S3Options(record), loggerFactory.CreateLogger<S3Backend>()),
            var other => throw new ArgumentException($"backend '{record.Name}' has unknown type '{other}'; known: {string.Join(", ", Types)}"),
        };
    }

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

    /// <summary>The settings JSON of an IPFS backend talking to the RPC API at <paramref name="api"/>.</summary>
    public static string IpfsSettings(Uri api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal) { ["api"] = api.AbsoluteUri });
    }

    /// <summary>The options of IPFS backend <paramref name="record"/> (its index under <see cref="StateDirectory"/>); <see cref="ArgumentException"/> on bad settings.</summary>
    public static IpfsBackendOptions IpfsOptions(BackendRecord record, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(record);
        var settings = StringSettings(record);
        var api = settings.TryGetValue("api", out var text) && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw new ArgumentException($"backend '{record.Name}' needs an absolute \"api\" URL setting (e.g. http://127.0.0.1:5001)");
        var options = new IpfsBackendOptions(api, StateDirectory(repositoryRoot, record.Name)) { Name = record.Name };
        options.Validate();
        return options;
    }

    /// <summary>
    /// The settings JSON of an S3 backend: bucket <paramref name="bucket"/> at <paramref name="endpoint"/>, signed for
    /// <paramref name="region"/>, keys under <paramref name="prefix"/>. Credentials are secrets, never settings.
    /// </summary>
    public static string S3Settings(Uri endpoint, string bucket, string region = "us-east-1", string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(prefix);
        return JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["endpoint"] = endpoint.AbsoluteUri,
            ["bucket"] = bucket,
            ["region"] = region,
            ["prefix"] = prefix,
        });
    }

    /// <summary>The options of S3 backend <paramref name="record"/>, credentials from its secrets; <see cref="ArgumentException"/> on bad settings.</summary>
    public static S3BackendOptions S3Options(BackendRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var settings = StringSettings(record);
        var endpoint = settings.TryGetValue("endpoint", out var text) && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw new ArgumentException($"backend '{record.Name}' needs an absolute \"endpoint\" URL setting");
        var bucket = settings.TryGetValue("bucket", out var b) && !string.IsNullOrEmpty(b)
            ? b
            : throw new ArgumentException($"backend '{record.Name}' needs a \"bucket\" setting");
        var options = new S3BackendOptions(endpoint, bucket)
        {
            Name = record.Name,
            Region = settings.TryGetValue("region", out var region) && !string.IsNullOrEmpty(region) ? region : "us-east-1",
            Prefix = settings.TryGetValue("prefix", out var prefix) ? prefix : string.Empty,
            AccessKey = record.Secrets.TryGetValue("accessKey", out var accessKey) ? accessKey : string.Empty,
            SecretKey = record.Secrets.TryGetValue("secretKey", out var secretKey) ? secretKey : string.Empty,
        };
        options.Validate();
        return options;
    }

    /// <summary>The string-valued members of <paramref name="record"/>'s settings object; <see cref="ArgumentException"/> when unreadable.</summary>
    private static Dictionary<string, string> StringSettings(BackendRecord record)
    {
        try
        {
            using var settings = JsonDocument.Parse(record.SettingsJson);
            if (settings.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"backend '{record.Name}' settings are not a JSON object");
            }

            return settings.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"backend '{record.Name}' has unreadable settings: {e.Message}", e);
        }
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

using System.Text.Json;
using Isg.Actors.Backends.Ipfs;
using Isg.Actors.Backends.S3;
using Isg.Actors.Catalog;

namespace Isg.Actors.Backends;

/// <summary>The settings and options of the storage-service backends: an IPFS daemon and S3-compatible buckets.</summary>
public static partial class BackendFactory
{
    /// <summary>The type of an IPFS daemon's RPC API; settings {"api": URL} (e.g. http://127.0.0.1:5001).</summary>
    public const string IpfsType = "ipfs";

    /// <summary>
    /// The type of an S3-compatible bucket; settings {"endpoint": URL, "bucket": B, "region": R, "prefix": P}, region
    /// and prefix optional; credentials from the record's secrets "accessKey" and "secretKey".
    /// </summary>
    public const string S3Type = "s3";

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
        var api = Url(record, settings, "api") ?? throw new ArgumentException($"backend '{record.Name}' needs an absolute \"api\" URL setting (e.g. http://127.0.0.1:5001)");
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
        var endpoint = Url(record, settings, "endpoint") ?? throw new ArgumentException($"backend '{record.Name}' needs an absolute \"endpoint\" URL setting");
        var bucket = Setting(settings, "bucket") ?? throw new ArgumentException($"backend '{record.Name}' needs a \"bucket\" setting");
        var options = new S3BackendOptions(endpoint, bucket)
        {
            Name = record.Name,
            Region = Setting(settings, "region") ?? "us-east-1",
            Prefix = settings.TryGetValue("prefix", out var prefix) ? prefix : string.Empty,
            AccessKey = record.Secrets.TryGetValue("accessKey", out var accessKey) ? accessKey : string.Empty,
            SecretKey = record.Secrets.TryGetValue("secretKey", out var secretKey) ? secretKey : string.Empty,
        };
        options.Validate();
        return options;
    }
}

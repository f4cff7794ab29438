namespace Isg.Actors.Backends.S3;

/// <summary>
/// Options of an <see cref="S3Backend"/>: any S3-compatible endpoint (AWS, R2, MinIO, Ceph, s3rver), the bucket, the
/// signing region, a key prefix under which our objects live, and the credentials (from the backend record's secrets
/// "accessKey"/"secretKey"; both empty means anonymous requests). <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed record S3BackendOptions(Uri ServiceUrl, string Bucket)
{
    /// <summary>Default size above which a put is a multipart upload: 16 MiB.</summary>
    public const long DefaultMultipartThreshold = 16L * 1024 * 1024;

    /// <summary>Default multipart part size: 8 MiB (S3's minimum is 5 MiB for every part but the last).</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>S3's smallest part but the last.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>The backend's name in logs and errors.</summary>
    public string Name { get; init; } = "s3";

    /// <summary>The region requests are signed for (us-east-1 suits most S3-compatible servers).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Prepended to every object name to make its key, e.g. "isg/" (empty: the bucket's root).</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>The access key id (empty with <see cref="SecretKey"/>: anonymous).</summary>
    public string AccessKey { get; init; } = string.Empty;

    /// <summary>The secret access key.</summary>
    public string SecretKey { get; init; } = string.Empty;

    /// <summary>Objects larger than this are uploaded in parts.</summary>
    public long MultipartThreshold { get; init; } = DefaultMultipartThreshold;

    /// <summary>Bytes per part of a multipart upload.</summary>
    public int PartSize { get; init; } = DefaultPartSize;

    /// <summary>The largest object a put accepts (objects are held in memory: 1 GiB by default).</summary>
    public long MaxObjectSize { get; init; } = 1L << 30;

    /// <summary>How long one request may take before it fails as transient.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ServiceUrl);
        if (!ServiceUrl.IsAbsoluteUri || (ServiceUrl.Scheme != Uri.UriSchemeHttp && ServiceUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"s3 endpoint must be an absolute http(s) URL, got '{ServiceUrl}'", nameof(ServiceUrl));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Bucket);
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(Region);
        ArgumentNullException.ThrowIfNull(Prefix);
        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            throw new ArgumentException("s3 credentials need both an access key and a secret key (or neither, for anonymous access)", nameof(AccessKey));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(PartSize, MinPartSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(MultipartThreshold, (long)PartSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxObjectSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxObjectSize, (long)Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
    }

    /// <summary>The options without the secret key.</summary>
    public override string ToString() =>
        $"S3BackendOptions {{ Name = {Name}, ServiceUrl = {ServiceUrl}, Bucket = {Bucket}, Region = {Region}, Prefix = {Prefix}, AccessKey = {(AccessKey.Length == 0 ? "(anonymous)" : AccessKey)}, SecretKey = *** }}";
}

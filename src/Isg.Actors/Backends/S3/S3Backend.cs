using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Backends.S3;

/// <summary>
/// Objects stored as keys <c>Prefix + name</c> in a bucket of any S3-compatible store, through AWSSDK.S3 set up for
/// plain servers: path-style addressing, no aws-chunked payload signing, checksums only where the protocol requires
/// them (with the SDK's defaults simple servers store the chunk-signature framing inside the object). Objects above
/// <see cref="S3BackendOptions.MultipartThreshold"/> go up as multipart uploads, aborted when a part fails. The SDK's
/// own retries are off: retrying is the decorators' job. Every failure surfaces as a classified
/// <see cref="BackendException"/>. A put replaces atomically (S3 semantics); objects are durable when a put returns.
/// Thread-safe.
/// </summary>
public sealed class S3Backend : IStorageBackend, IObjectTimestamps, IDisposable
{
    private const int ListPageSize = 1000;

    private readonly S3BackendOptions _options;
    private readonly ILogger _logger;
    private readonly AmazonS3Client _client;

    /// <summary>Creates the client for <paramref name="options"/> (validated); no request is made until the first call.</summary>
    public S3Backend(S3BackendOptions options, ILogger<S3Backend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl.AbsoluteUri,
            AuthenticationRegion = options.Region,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
        };
        AWSCredentials credentials = options.AccessKey.Length == 0
            ? new AnonymousAWSCredentials()
            : new BasicAWSCredentials(options.AccessKey, options.SecretKey);
        _client = new AmazonS3Client(credentials, config);
        Capabilities = new BackendCapabilities(options.MaxObjectSize, AcceptsOnlyVideo: false, IsLocal: false);
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <inheritdoc/>
    public BackendCapabilities Capabilities { get; }

    /// <inheritdoc/>
    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        if (data.Length > _options.MaxObjectSize)
        {
            throw new BackendException(BackendFailureKind.Permanent, Name,
                $"object {objectName} is {data.Length} bytes, more than the {_options.MaxObjectSize} this backend accepts");
        }

        var key = Key(objectName);
        if (data.Length > _options.MultipartThreshold)
        {
            await PutMultipartAsync(key, data, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var body = ReadOnlyStream(data);
        await CallAsync("put " + objectName, () => _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            AutoResetStreamPosition = false,
            UseChunkEncoding = false,
            ContentType = "application/octet-stream",
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        using var response = await CallAsync("get " + objectName, () => _client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = _options.Bucket,
            Key = Key(objectName),
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        var length = response.ContentLength;
        if (length < 0 || length > _options.MaxObjectSize)
        {
            throw new BackendException(BackendFailureKind.Permanent, Name, $"object {objectName} is {length} bytes, beyond the limit");
        }

        // The SDK wraps a whole-object body in an MD5 check against the ETag whose stream costs three times what one
        // MD5 pass over the buffer does (two thirds of a get's CPU time). The body is read straight from the HTTP stream
        // under it and checked here in one pass: a server that replaces objects non-atomically (s3rver) can serve a mix
        // of the old and the new object to a reader, which only the ETag reveals.
        // The wrapper is detached too: disposed unread, it would check an empty body against the ETag and throw.
        var body = response.ResponseStream is Amazon.Runtime.Internal.Util.WrapperStream wrapped ? wrapped.GetNonWrapperBaseStream() : response.ResponseStream;
        response.ResponseStream = body;
        var buffer = PooledBuffer.Rent((int)length);
        try
        {
            var read = 0;
            try
            {
                while (read < buffer.Length)
                {
                    var n = await body.ReadAsync(buffer.Memory[read..], cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new BackendException(BackendFailureKind.Transient, Name, $"get {objectName}: the body was cut after {read} of {length} bytes: {e.Message}", e);
            }

            if (read != length)
            {
                throw new BackendException(BackendFailureKind.Transient, Name, $"get {objectName}: the body ended after {read} of {length} bytes");
            }

            if (!MatchesETag(response, buffer.Span))
            {
                throw new BackendException(BackendFailureKind.Transient, Name,
                    $"get {objectName}: the body does not hash to its ETag {response.ETag} (replaced while being read, or damaged on the way)");
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await CallAsync("exists " + objectName, () => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = _options.Bucket,
                Key = Key(objectName),
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The object's Last-Modified (HEAD); null when it does not exist.</remarks>
    public async Task<DateTimeOffset?> LastModifiedAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var metadata = await CallAsync("stat " + objectName, () => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = _options.Bucket,
                Key = Key(objectName),
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
            return metadata.LastModified is not { } at ? null
                : new DateTimeOffset(at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime());
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // S3 answers 204 for a missing key too; some compatible servers answer 404, which is just as done.
            await CallAsync("delete " + objectName, () => _client.DeleteObjectAsync(new DeleteObjectRequest
            {
                BucketName = _options.Bucket,
                Key = Key(objectName),
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound && e.InnerException is AmazonS3Exception { ErrorCode: not "NoSuchBucket" })
        {
            _logger.LogDebug("S3 backend {Name}: deleting missing object {Object}", Name, objectName);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Pages through ListObjectsV2 under the prefix; keys that are not valid object names are someone else's and are skipped.</remarks>
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Pages continue with StartAfter = the last key seen rather than continuation tokens: keys come in order either
        // way, and some compatible servers cannot make tokens (s3rver's need DES, which Node 17+ refuses).
        string? startAfter = null;
        while (true)
        {
            var after = startAfter;
            var page = await CallAsync("list", () => _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _options.Bucket,
                Prefix = _options.Prefix,
                StartAfter = after,
                MaxKeys = ListPageSize,
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
            var objects = page.S3Objects ?? [];
            foreach (var entry in objects)
            {
                if (entry.Key is { } key && key.StartsWith(_options.Prefix, StringComparison.Ordinal) && ObjectNames.IsValid(key.AsSpan(_options.Prefix.Length)))
                {
                    yield return key[_options.Prefix.Length..];
                }
            }

            if (page.IsTruncated != true || objects.Count == 0)
            {
                yield break;
            }

            startAfter = objects[^1].Key;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Nothing to do: S3 acknowledges a put only once the object is stored.</remarks>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public BackendFailureKind Classify(Exception exception) => ClassifyException(exception);

    /// <summary>
    /// The classification <see cref="Classify"/> uses: NoSuchKey or 404 → not found; 401/403 (AccessDenied,
    /// InvalidAccessKeyId, SignatureDoesNotMatch, expired tokens) → unauthorized; SlowDown, 429, RequestTimeout, 5xx and
    /// network failures → transient; anything else (NoSuchBucket, bad requests, too large) → permanent.
    /// </summary>
    public static BackendFailureKind ClassifyException(Exception exception) => exception switch
    {
        BackendException backend => backend.Kind,
        AmazonServiceException service => ClassifyService(service),
        HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException => BackendFailureKind.Transient,
        AmazonClientException { InnerException: { } inner } => ClassifyException(inner),
        _ => BackendFailureKind.Permanent,
    };

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private static BackendFailureKind ClassifyService(AmazonServiceException exception)
    {
        switch (exception.ErrorCode)
        {
            case "NoSuchKey" or "NotFound":
                return BackendFailureKind.NotFound;
            case "NoSuchBucket" or "EntityTooLarge" or "InvalidArgument" or "InvalidBucketName":
                return BackendFailureKind.Permanent;
            case "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired":
                return BackendFailureKind.Unauthorized;
            case "SlowDown" or "RequestTimeout" or "ServiceUnavailable" or "InternalError" or "RequestTimeTooSkewed" or "Throttling":
                return BackendFailureKind.Transient;
        }

        return exception.StatusCode switch
        {
            HttpStatusCode.NotFound => BackendFailureKind.NotFound,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => BackendFailureKind.Unauthorized,
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => BackendFailureKind.Transient,
            >= HttpStatusCode.InternalServerError => BackendFailureKind.Transient,
            // A status of 0: no HTTP answer at all (connection refused, reset, DNS), wrapped by the SDK.
            0 when exception.InnerException is { } inner => ClassifyException(inner) == BackendFailureKind.Transient ? BackendFailureKind.Transient : BackendFailureKind.Permanent,
            _ => BackendFailureKind.Permanent,
        };
    }

    private async Task PutMultipartAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var upload = await CallAsync("start multipart upload of " + key, () => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            ContentType = "application/octet-stream",
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        try
        {
            var etags = new List<PartETag>();
            for (int offset = 0, number = 1; offset < data.Length; offset += _options.PartSize, number++)
            {
                var part = data.Slice(offset, Math.Min(_options.PartSize, data.Length - offset));
                using var body = ReadOnlyStream(part);
                var partNumber = number;
                var response = await CallAsync($"upload part {number} of {key}", () => _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = partNumber,
                    PartSize = part.Length,
                    InputStream = body,
                    UseChunkEncoding = false,
                }, cancellationToken), cancellationToken).ConfigureAwait(false);
                etags.Add(new PartETag(number, response.ETag));
            }

            _logger.LogDebug("S3 backend {Name}: uploaded {Key} ({Bytes} bytes) in {Parts} parts", Name, key, data.Length, etags.Count);
            await CallAsync("complete multipart upload of " + key, () => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = etags,
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await AbortAsync(key, upload.UploadId, e).ConfigureAwait(false);
            throw;
        }
    }

    private async Task AbortAsync(string key, string uploadId, Exception cause)
    {
        try
        {
            // Not the caller's token: a cancelled put must still release the parts it left on the server.
            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = uploadId,
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            _logger.LogWarning(e, "S3 backend {Name}: aborting multipart upload {Upload} of {Key} after {Cause} failed; its parts stay until the bucket's lifecycle removes them",
                Name, uploadId, key, cause.GetType().Name);
        }
    }

    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's own timeout (RequestTimeout), not the caller's cancellation.
            throw new BackendException(BackendFailureKind.Transient, Name, $"{what}: no answer within {_options.RequestTimeout}", e);
        }
        catch (Exception e) when (e is ArgumentException or FormatException && e.StackTrace?.Contains("Amazon.", StringComparison.Ordinal) == true)
        {
            // The SDK failed to read the server's answer (e.g. a torn ETag header from a server mid-overwrite); our
            // own arguments were checked before the call.
            throw new BackendException(BackendFailureKind.Transient, Name, $"{what}: malformed answer: {e.Message}", e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException)
        {
            var kind = ClassifyException(e);
            var detail = e is AmazonServiceException service ? $"HTTP {(int)service.StatusCode} {service.ErrorCode}: {service.Message}" : e.Message;
            throw new BackendException(kind, Name, $"{what}: {detail}", e);
        }
    }

    private string Key(string objectName) => _options.Prefix + objectName;

    // A single-part object's ETag is the MD5 of its bytes, unless the server encrypted it with a KMS or customer key;
    // other ETags (multipart: "...-N") say nothing checkable, and pass.
    private static bool MatchesETag(GetObjectResponse response, ReadOnlySpan<byte> body)
    {
        var etag = response.ETag.AsSpan().Trim('"');
        Span<byte> expected = stackalloc byte[16];
        if (etag.Length != 32 || Convert.FromHexString(etag, expected, out _, out var written) != System.Buffers.OperationStatus.Done || written != 16
            || response.ServerSideEncryptionCustomerMethod is { } customer && customer != ServerSideEncryptionCustomerMethod.None
            || !string.IsNullOrEmpty(response.ServerSideEncryptionKeyManagementServiceKeyId))
        {
            return true;
        }

        Span<byte> actual = stackalloc byte[16];
#pragma warning disable CA5351 // S3's ETag is an MD5: a transport checksum here, not a security measure.
        System.Security.Cryptography.MD5.HashData(body, actual);
#pragma warning restore CA5351
        return actual.SequenceEqual(expected);
    }

    private static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}

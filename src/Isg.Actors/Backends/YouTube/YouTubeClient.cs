using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Isg.Actors.Backends.Remote;
using Isg.Actors.Video;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// The parts of the YouTube Data API v3 the backend uses, over plain HTTP: resumable uploads (videos.insert with
/// uploadType=resumable, chunked PUTs with Content-Range, resumed after a cut connection or a 5xx by asking the session
/// what it holds), videos.list by id, videos.delete, and downloads (a direct URL, or yt-dlp with the original-resolution
/// format chosen explicitly). Every API call is charged to the <see cref="YouTubeQuotaLedger"/> before it is made; a
/// 401 refreshes the access token and retries once. Failures are <see cref="BackendException"/>s: 401 Unauthorized,
/// 403 quotaExceeded QuotaExceeded (RetryAfter until the Pacific midnight reset), 404 NotFound, 413 Permanent, 429 and
/// 5xx Transient with the Retry-After asked for, a cut connection Transient. Thread-safe.
/// </summary>
public sealed class YouTubeClient
{
    private const string UploadPath = "upload/youtube/v3/videos?uploadType=resumable&part=snippet,status";
    private const string VideosPath = "youtube/v3/videos";
    private const int ListPageSize = 50;

    private readonly YouTubeBackendOptions _options;
    private readonly HttpClient _http;
    private readonly OAuthTokenSource _tokens;
    private readonly YouTubeQuotaLedger _quota;
    private readonly ILogger _logger;
    private readonly Uri _uploadUri;
    private readonly Uri _videosUri;

    /// <summary>A client over <paramref name="http"/> (which must not follow redirects: 308 is the protocol's "resume incomplete").</summary>
    public YouTubeClient(YouTubeBackendOptions options, HttpClient http, OAuthTokenSource tokens, YouTubeQuotaLedger quota, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(quota);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _http = http;
        _tokens = tokens;
        _quota = quota;
        _logger = logger;
        _uploadUri = new Uri(options.ApiBaseUrl, UploadPath);
        _videosUri = new Uri(options.ApiBaseUrl, VideosPath);
    }

    /// <summary>The access tokens in use.</summary>
    public OAuthTokenSource Tokens => _tokens;

    /// <summary>The quota ledger charged by this client.</summary>
    public YouTubeQuotaLedger Quota => _quota;

    /// <summary>
    /// Uploads <paramref name="videoFile"/> as a new video with the given title and description and the configured
    /// privacy status (1600 units); returns the video id once the last chunk is acknowledged.
    /// </summary>
    public async Task<string> UploadAsync(string videoFile, string title, string description, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(videoFile);
        var session = await StartUploadAsync(new FileInfo(videoFile).Length, ContentTypeOf(videoFile), title, description, cancellationToken)
            .ConfigureAwait(false);
        return await SendAsync(session, videoFile, resume: false, progress: null, cancellationToken).ConfigureAwait(false)
            ?? throw new BackendException(BackendFailureKind.Transient, _options.Name,
                "uploading a video: the upload session expired; the pack is uploaded again from the start");
    }

    /// <summary>
    /// Opens a resumable upload session (videos.insert with uploadType=resumable, 1600 units) for a video of
    /// <paramref name="length"/> bytes of <paramref name="contentType"/> with the given title, description and the
    /// configured privacy status; returns the session URI, which <see cref="SendAsync"/> uploads to (in this process or,
    /// persisted, in a later one: Google keeps a session about a week).
    /// </summary>
    public async Task<Uri> StartUploadAsync(long length, string contentType, string title, string description, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var metadata = JsonSerializer.Serialize(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["snippet"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["title"] = title, ["description"] = description, ["categoryId"] = "28" },
            ["status"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["privacyStatus"] = _options.PrivacyStatus, ["selfDeclaredMadeForKids"] = false },
        });
        using var start = await SendApiAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, _uploadUri)
                {
                    Content = new StringContent(metadata, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Upload-Content-Length", length.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("X-Upload-Content-Type", contentType);
                return request;
            },
            YouTubeQuotaLedger.UploadCost, "starting an upload", cancellationToken).ConfigureAwait(false);
        return start.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(_uploadUri, location)
            : throw new BackendException(BackendFailureKind.Transient, _options.Name, "starting an upload: the answer names no session URI");
    }

    /// <summary>
    /// Sends <paramref name="videoFile"/> to upload <paramref name="session"/> in chunks of the configured size, from
    /// byte 0, or (<paramref name="resume"/>) from where the session stands, asked first with <c>bytes */total</c>; a cut
    /// connection or a 5xx is resumed the same way. Reports the bytes the session holds to <paramref name="progress"/>
    /// after every acknowledged chunk. Returns the video id once the last chunk is acknowledged, or null when the session
    /// no longer exists (expired or unknown: a new one must be started). Chunk PUTs cost no quota.
    /// </summary>
    public Task<string?> SendAsync(Uri session, string videoFile, bool resume, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(videoFile);
        var length = new FileInfo(videoFile).Length;
        ArgumentOutOfRangeException.ThrowIfZero(length);
        return SendChunksAsync(session, videoFile, length, ContentTypeOf(videoFile), resume, progress, cancellationToken);
    }

    /// <summary>The MIME type a video file is uploaded as, from its extension.</summary>
    public static string ContentTypeOf(string file) => Path.GetExtension(file).ToUpperInvariant() switch
    {
        ".MP4" => "video/mp4",
        ".MKV" => "video/x-matroska",
        ".WEBM" => "video/webm",
        _ => "application/octet-stream",
    };

    /// <summary>The videos among <paramref name="ids"/> that exist (videos.list, 1 unit per 50 ids).</summary>
    public async Task<IReadOnlyList<YouTubeVideo>> ListAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var videos = new List<YouTubeVideo>();
        foreach (var page in ids.Chunk(ListPageSize))
        {
            var uri = new Uri(_videosUri + "?part=snippet,status&maxResults=50&id=" + string.Join(',', page.Select(Uri.EscapeDataString)));
            using var response = await SendApiAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), YouTubeQuotaLedger.ListCost, "listing videos", cancellationToken)
                .ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            videos.AddRange(ParseVideoList(body));
        }

        return videos;
    }

    /// <summary>Deletes video <paramref name="id"/> (50 units); false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var uri = new Uri(_videosUri + "?id=" + Uri.EscapeDataString(id));
        try
        {
            using var response = await SendApiAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), YouTubeQuotaLedger.DeleteCost, $"deleting video {id}", cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>Downloads video <paramref name="id"/> into <paramref name="destination"/> (replaced), by the configured mode.</summary>
    public Task DownloadAsync(string id, string destination, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        return _options.DownloadMode == YouTubeDownloadMode.Direct
            ? DownloadDirectAsync(id, destination, cancellationToken)
            : DownloadWithYtDlpAsync(id, destination, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendApiAsync(Func<HttpRequestMessage> build, long units, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await _tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
            if (attempt == 0)
            {
                // After the token: a call that cannot even be authorised is not made, so it costs nothing.
                _quota.Charge(units, what);
            }

            using var request = build();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var response = await SendAsync(request, what, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    // Expired or revoked access token: one fresh token, one more try.
                    _tokens.Invalidate(token);
                    continue;
                }

                throw await FailureAsync(response, what, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, $"{what}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, $"{what}: timed out", e);
        }
    }

    private async Task<BackendException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var reason = GoogleErrors.Reason(body);
        var status = (int)response.StatusCode;
        var message = $"{what}: {GoogleErrors.Describe(response.StatusCode, reason)}";
        var retryAfter = RemoteFailures.RetryAfter(response, _options.TimeProvider);
        if (response.StatusCode == HttpStatusCode.Forbidden && reason is "quotaExceeded" or "dailyLimitExceeded")
        {
            _quota.MarkExhausted();
            return new BackendException(BackendFailureKind.QuotaExceeded, _options.Name, message) { RetryAfter = _quota.UntilReset() };
        }

        var kind = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => BackendFailureKind.Unauthorized,
            HttpStatusCode.Forbidden when reason is "rateLimitExceeded" or "userRateLimitExceeded" => BackendFailureKind.Transient,
            HttpStatusCode.Forbidden => BackendFailureKind.Unauthorized,
            HttpStatusCode.NotFound or HttpStatusCode.Gone => BackendFailureKind.NotFound,
            HttpStatusCode.RequestEntityTooLarge => BackendFailureKind.Permanent,
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => BackendFailureKind.Transient,
            _ when status >= 500 => BackendFailureKind.Transient,
            _ => BackendFailureKind.Permanent,
        };
        return new BackendException(kind, _options.Name, message) { RetryAfter = retryAfter };
    }

    private async Task<string?> SendChunksAsync(
        Uri session, string videoFile, long length, string contentType, bool resume, Action<long>? progress, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(videoFile, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = ArrayPool<byte>.Shared.Rent(_options.ChunkSize);
        try
        {
            long offset = 0;
            var failures = 0;
            var query = resume;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = query ? 0 : (int)Math.Min(_options.ChunkSize, length - offset);
                if (!query)
                {
                    ReadExactly(handle, buffer.AsSpan(0, count), offset);
                }

                var step = await PutChunkAsync(session, buffer, offset, count, length, contentType, query, cancellationToken).ConfigureAwait(false);
                if (step.VideoId is not null || step.Expired)
                {
                    return step.VideoId;
                }

                if (step.Received is { } received)
                {
                    progress?.Invoke(received);
                    if (received > offset || query)
                    {
                        failures = 0;
                    }

                    offset = received;
                    query = false;
                    continue;
                }

                failures++;
                if (failures > _options.ResumeAttempts)
                {
                    throw new BackendException(BackendFailureKind.Transient, _options.Name,
                        $"uploading a video: gave up after {failures} failed attempts at byte {offset} of {length}: {step.Failure}");
                }

                _logger.LogInformation("YouTube backend {Name}: upload interrupted at byte {Offset} of {Length} ({Failure}); asking the session what it holds",
                    _options.Name, offset, length, step.Failure);
                var delay = _options.ResumeDelay * Math.Pow(2, failures - 1);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }

                query = true;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> span, long offset)
    {
        var read = 0;
        while (read < span.Length)
        {
            var n = RandomAccess.Read(handle, span[read..], offset + read);
            if (n == 0)
            {
                throw new IOException($"the video file ended at byte {offset + read} while being uploaded");
            }

            read += n;
        }
    }

    // One PUT of a chunk (or, with query, of nothing: "bytes */length" asks what the session holds).
    private async Task<UploadStep> PutChunkAsync(
        Uri session, byte[] buffer, long offset, int count, long length, string contentType, bool query, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new ByteArrayContent(buffer, 0, count) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content.Headers.ContentRange = query
            ? new ContentRangeHeaderValue(length)
            : new ContentRangeHeaderValue(offset, offset + count - 1, length);
        if (!query)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new UploadStep(null, null, e.Message);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status == 308)
            {
                return new UploadStep(null, ReceivedBytes(response), null);
            }

            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return new UploadStep(ParseVideoId(body), null, null);
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                _tokens.Invalidate(token);
                return new UploadStep(null, null, "HTTP 401: access token refused");
            }

            if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
            {
                return new UploadStep(null, null, GoogleErrors.Describe(response.StatusCode, null));
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return new UploadStep(null, null, null) { Expired = true };
            }

            throw await FailureAsync(response, "uploading a video", cancellationToken).ConfigureAwait(false);
        }
    }

    // "Range: bytes=0-N" means bytes 0..N are held; no Range means none.
    private long ReceivedBytes(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Range", out var values))
        {
            return 0;
        }

        var range = values.FirstOrDefault() ?? string.Empty;
        var dash = range.LastIndexOf('-');
        return range.StartsWith("bytes=0-", StringComparison.Ordinal)
            && long.TryParse(range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? last + 1
            : throw new BackendException(BackendFailureKind.Transient, _options.Name, $"uploading a video: unreadable Range header '{range}'");
    }

    private string ParseVideoId(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(id.GetString()))
            {
                return id.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        throw new BackendException(BackendFailureKind.Transient, _options.Name, "uploading a video: the final answer holds no video id");
    }

    private List<YouTubeVideo> ParseVideoList(string body)
    {
        var videos = new List<YouTubeVideo>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                return videos;
            }

            foreach (var item in items.EnumerateArray())
            {
                if (Text(item, "id") is not { } id)
                {
                    continue;
                }

                var snippet = item.TryGetProperty("snippet", out var s) ? s : default;
                var status = item.TryGetProperty("status", out var t) ? t : default;
                videos.Add(new YouTubeVideo(id, Text(snippet, "title") ?? string.Empty, Text(snippet, "description") ?? string.Empty,
                    Text(status, "privacyStatus"), Text(status, "uploadStatus")));
            }
        }
        catch (JsonException e)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, "listing videos: the answer is not JSON", e);
        }

        return videos;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private async Task DownloadDirectAsync(string id, string destination, CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.DirectDownloadUrl!.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await SendAsync(request, $"downloading video {id}", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, $"downloading video {id}", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, $"downloading video {id}: {e.Message}", e);
        }
    }

    private async Task DownloadWithYtDlpAsync(string id, string destination, CancellationToken cancellationToken)
    {
        var url = _options.WatchUrl + Uri.EscapeDataString(id);
        var parameters = _options.Profile.Parameters;
        string description;
        var probe = ToolProcess.Start(_options.YtDlpPath, ["-J", "--no-playlist", "--no-warnings", url], keepStdin: false);
        await using (probe.ConfigureAwait(false))
        {
            using var reader = new StreamReader(probe.Output, Encoding.UTF8);
            description = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            if (await probe.WaitForExitAsync(cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new BackendException(BackendFailureKind.Transient, _options.Name, $"yt-dlp could not describe video {id}: {probe.StderrTail}");
            }
        }

        var format = YtDlpFormatSelector.Select(description, parameters.Width, parameters.Height)
            ?? throw new BackendException(BackendFailureKind.Permanent, _options.Name,
                $"video {id} has no format at the uploaded resolution {parameters.Width}x{parameters.Height} (still processing, or rescaled)");
        _logger.LogDebug("YouTube backend {Name}: downloading video {Id} in format {Format}", _options.Name, id, format);
        var download = ToolProcess.Start(_options.YtDlpPath, ["-f", format, "-o", "-", "--no-part", "--no-playlist", "--quiet", url], keepStdin: false);
        await using var downloadScope = download.ConfigureAwait(false);
        var target = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (target.ConfigureAwait(false))
        {
            await download.Output.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
        }

        if (await download.WaitForExitAsync(cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, $"yt-dlp failed to download video {id}: {download.StderrTail}");
        }
    }

    /// <summary>
    /// What one PUT of an upload gave: the video id (done), the bytes the session holds (go on), a failure to resume
    /// from, or that the session is gone (<see cref="Expired"/>).
    /// </summary>
    private readonly record struct UploadStep(string? VideoId, long? Received, string? Failure)
    {
        public bool Expired { get; init; }
    }
}

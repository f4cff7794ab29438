using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Isg.TestKit.Platforms;

/// <summary>
/// A local stand-in for Google's OAuth token endpoint and the YouTube Data API v3, following their documented contract:
/// POST /token (grant_type=refresh_token; 400 invalid_grant for a revoked token), POST /upload/youtube/v3/videos?uploadType=resumable
/// (200 with a Location session URI), PUT on the session (Content-Range "bytes a-b/total", chunks multiples of 256 KiB
/// except the last; 308 with "Range: bytes=0-N" until complete, then 201 with the video resource; "bytes */total" asks
/// the status), GET/DELETE /youtube/v3/videos, quota in units (upload 1600, list 1, delete 50; 403 quotaExceeded), and
/// GET /download/{id} serving the uploaded bytes. A cut connection keeps only whole 256 KiB units. Fault switches: expired
/// access tokens (401), a revoked refresh token, failures with a status (429 + Retry-After, 5xx, 413), a cut in the middle
/// of a chunk. Kestrel on 127.0.0.1, port chosen by the system.
/// </summary>
public sealed class FakeYouTubeServer : IAsyncDisposable
{
    public const string ClientId = "fake-client.apps.googleusercontent.com";
    public const string ClientSecret = "fake-secret";
    public const int ChunkUnit = 256 * 1024;

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeYouTubeVideo> _videos = new(StringComparer.Ordinal);
    private readonly Queue<(int Status, TimeSpan? RetryAfter)> _apiFailures = new();
    private readonly Queue<int> _chunkFailures = new();
    private string _refreshToken = "1//fake-refresh-token-1";
    private string? _consentChallenge;
    private int _tokenCounter;
    private int _cutChunkNumber;
    private int _cutAfterBytes;
    private int _stallChunkNumber;
    private TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeYouTubeServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public Uri TokenEndpoint => new(BaseUrl, "token");

    public string DownloadUrlTemplate => new Uri(BaseUrl, "download/").ToString() + "{id}";

    public string RefreshToken
    {
        get { lock (_gate) { return _refreshToken; } }
    }

    public long QuotaLimit { get; set; } = 10_000;

    public long QuotaUsed { get; private set; }

    /// <summary>Hand out a new refresh token with every access token (and accept only the newest).</summary>
    public bool RotateRefreshTokens { get; set; }

    public int TokenRequests { get; private set; }

    public int UploadSessions { get; private set; }

    public int ChunkPuts { get; private set; }

    public int StatusQueries { get; private set; }

    public int Cuts { get; private set; }

    public int ApiRequests { get; private set; }

    /// <summary>The User-Agent of every download (GET /download/ID), in order.</summary>
    public List<string> DownloadAgents { get; } = [];

    /// <summary>The Content-Range headers of every PUT, in order.</summary>
    public List<string> ContentRanges { get; } = [];

    public IReadOnlyList<FakeYouTubeVideo> Videos
    {
        get { lock (_gate) { return [.. _videos.Values]; } }
    }

    public static async Task<FakeYouTubeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeYouTubeServer(app);
        app.MapPost("/token", server.TokenAsync);
        app.MapPost("/upload/youtube/v3/videos", server.StartUploadAsync);
        app.MapPut("/upload/youtube/v3/videos", server.PutChunkAsync);
        app.MapGet("/youtube/v3/videos", server.ListAsync);
        app.MapDelete("/youtube/v3/videos", server.DeleteAsync);
        app.MapGet("/download/{id}", server.DownloadAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>The authorization code the fake consent screen hands back.</summary>
    public const string ConsentCode = "4/fake-consent-code";

    /// <summary>The user consented on a page whose URL carried <paramref name="codeChallenge"/>: the code exchange will check the verifier against it.</summary>
    public void Consent(string codeChallenge)
    {
        lock (_gate)
        {
            _consentChallenge = codeChallenge;
        }
    }

    /// <summary>Every upload session open so far is forgotten (the session URI answers 404, as an expired one does).</summary>
    public void ExpireUploadSessions()
    {
        lock (_gate)
        {
            _sessions.Clear();
        }
    }

    /// <summary>Every access token handed out so far stops working (the API answers 401).</summary>
    public void ExpireAccessTokens()
    {
        lock (_gate)
        {
            _accessTokens.Clear();
        }
    }

    /// <summary>The refresh token is revoked: the token endpoint answers 400 invalid_grant.</summary>
    public void RevokeRefreshToken()
    {
        lock (_gate)
        {
            _refreshToken = "revoked-" + Guid.NewGuid().ToString("N");
        }
    }

    /// <summary>The next <paramref name="count"/> API calls (session start, list, delete; not chunk PUTs) fail with <paramref name="status"/>.</summary>
    public void FailNextApiCalls(int status, int count = 1, TimeSpan? retryAfter = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _apiFailures.Enqueue((status, retryAfter));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> chunk PUTs fail with <paramref name="status"/> without storing anything.</summary>
    public void FailNextChunks(int status, int count = 1)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _chunkFailures.Enqueue(status);
            }
        }
    }

    /// <summary>The <paramref name="chunkNumber"/>-th chunk PUT from now (1 = next) is cut after <paramref name="afterBytes"/> bytes of its body.</summary>
    public void CutChunk(int chunkNumber, int afterBytes)
    {
        lock (_gate)
        {
            _cutChunkNumber = chunkNumber;
            _cutAfterBytes = afterBytes;
        }
    }

    /// <summary>
    /// The <paramref name="chunkNumber"/>-th chunk PUT from now (1 = next) is held, unanswered and unread, until the
    /// client gives up on it (a process stopped mid-upload); <see cref="ChunkStalled"/> completes when it arrives.
    /// </summary>
    public void StallChunk(int chunkNumber)
    {
        lock (_gate)
        {
            _stallChunkNumber = chunkNumber;
            _stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes when the chunk <see cref="StallChunk"/> named arrives.</summary>
    public Task ChunkStalled
    {
        get { lock (_gate) { return _stalled.Task; } }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static Task ErrorAsync(HttpContext context, int status, string reason, string message, string domain = "global")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            error = new
            {
                code = status,
                message,
                errors = new[] { new { message, domain, reason } },
            },
        }));
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        string? accessToken = null;
        string? rotated = null;
        var error = (string?)null;
        lock (_gate)
        {
            TokenRequests++;
            if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            {
                error = "invalid_client";
            }
            else if (form["grant_type"] == "authorization_code")
            {
                // PKCE: the verifier must hash to the challenge the consent URL carried.
                var expected = _consentChallenge;
                var verifier = form["code_verifier"].ToString();
                var actual = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                if (form["code"] != ConsentCode || expected is null || actual != expected)
                {
                    error = "invalid_grant";
                }
                else
                {
                    accessToken = "ya29.fake-" + (++_tokenCounter).ToString(CultureInfo.InvariantCulture);
                    _accessTokens.Add(accessToken);
                    rotated = _refreshToken;
                }
            }
            else if (form["grant_type"] != "refresh_token" || form["refresh_token"] != _refreshToken)
            {
                error = "invalid_grant";
            }
            else
            {
                accessToken = "ya29.fake-" + (++_tokenCounter).ToString(CultureInfo.InvariantCulture);
                _accessTokens.Add(accessToken);
                if (RotateRefreshTokens)
                {
                    rotated = "1//fake-refresh-token-" + (_tokenCounter + 1).ToString(CultureInfo.InvariantCulture);
                    _refreshToken = rotated;
                }
            }
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        if (error is not null)
        {
            context.Response.StatusCode = error == "invalid_client" ? 401 : 400;
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["error"] = error,
                ["error_description"] = error == "invalid_grant" ? "Token has been expired or revoked." : "The OAuth client was not found.",
            }));
            return;
        }

        var answer = new Dictionary<string, object>
        {
            ["access_token"] = accessToken!,
            ["expires_in"] = 3599,
            ["scope"] = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube",
            ["token_type"] = "Bearer",
        };
        if (rotated is not null)
        {
            answer["refresh_token"] = rotated;
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
    }

    // Fault, then authorization, then quota: like Google, a refused call costs nothing here.
    private async Task<bool> AdmitAsync(HttpContext context, long cost)
    {
        (int Status, TimeSpan? RetryAfter) failure = default;
        bool authorized;
        bool quotaLeft;
        lock (_gate)
        {
            ApiRequests++;
            _apiFailures.TryDequeue(out failure);
            var header = context.Request.Headers.Authorization.ToString();
            authorized = header.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.Contains(header["Bearer ".Length..]);
            quotaLeft = QuotaUsed + cost <= QuotaLimit;
            if (failure.Status == 0 && authorized && quotaLeft)
            {
                QuotaUsed += cost;
            }
        }

        if (failure.Status != 0)
        {
            if (failure.RetryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            var reason = failure.Status switch
            {
                429 => "rateLimitExceeded",
                413 => "uploadLimitExceeded",
                >= 500 => "backendError",
                _ => "badRequest",
            };
            await ErrorAsync(context, failure.Status, reason, "injected failure");
            return false;
        }

        if (!authorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
            await ErrorAsync(context, 401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
            return false;
        }

        if (!quotaLeft)
        {
            await ErrorAsync(context, 403, "quotaExceeded",
                "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
                "youtube.quota");
            return false;
        }

        return true;
    }

    private async Task StartUploadAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (query["uploadType"] != "resumable" || !query["part"].ToString().Contains("snippet", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "badRequest", "uploadType=resumable and part=snippet,status expected");
            return;
        }

        if (!await AdmitAsync(context, 1600))
        {
            return;
        }

        if (!long.TryParse(context.Request.Headers["X-Upload-Content-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            || total <= 0
            || !context.Request.Headers["X-Upload-Content-Type"].ToString().StartsWith("video/", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "badRequest", "X-Upload-Content-Length and a video X-Upload-Content-Type are required");
            return;
        }

        using var metadata = await JsonDocument.ParseAsync(context.Request.Body);
        var snippet = metadata.RootElement.GetProperty("snippet");
        var session = new Session(
            total,
            snippet.GetProperty("title").GetString() ?? string.Empty,
            snippet.GetProperty("description").GetString() ?? string.Empty,
            metadata.RootElement.GetProperty("status").GetProperty("privacyStatus").GetString() ?? "private");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        lock (_gate)
        {
            UploadSessions++;
            _sessions[id] = session;
        }

        context.Response.Headers.Location = new Uri(BaseUrl, $"upload/youtube/v3/videos?uploadType=resumable&upload_id={id}").ToString();
        context.Response.StatusCode = 200;
    }

    private async Task PutChunkAsync(HttpContext context)
    {
        Session? session;
        var cutAfter = -1;
        var failure = 0;
        TaskCompletionSource? stall = null;
        var range = context.Request.Headers.ContentRange.ToString();
        lock (_gate)
        {
            _sessions.TryGetValue(context.Request.Query["upload_id"].ToString(), out session);
            ContentRanges.Add(range);
            if (!range.StartsWith("bytes */", StringComparison.Ordinal))
            {
                ChunkPuts++;
                if (_chunkFailures.TryDequeue(out var status))
                {
                    failure = status;
                }
                else if (_cutChunkNumber > 0 && --_cutChunkNumber == 0)
                {
                    cutAfter = _cutAfterBytes;
                }
                else if (_stallChunkNumber > 0 && --_stallChunkNumber == 0)
                {
                    stall = _stalled;
                }
            }
            else
            {
                StatusQueries++;
            }
        }

        if (session is null)
        {
            await ErrorAsync(context, 404, "notFound", "no such upload session");
            return;
        }

        if (stall is not null)
        {
            stall.TrySetResult();
            // Until the client goes away: nothing of this chunk is stored.
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (context.RequestAborted.Register(() => aborted.TrySetResult()))
            {
                await aborted.Task;
            }

            return;
        }

        if (failure != 0)
        {
            await ErrorAsync(context, failure, "backendError", "injected failure");
            return;
        }

        if (!TryParseRange(range, out var first, out var last, out var total) || total != session.Total)
        {
            await ErrorAsync(context, 400, "badContent", $"bad Content-Range '{range}'");
            return;
        }

        if (first < 0)
        {
            // "bytes */total": where does the session stand?
            await AnswerProgressAsync(context, session);
            return;
        }

        var length = last - first + 1;
        if (first != session.Received || last >= total || (last != total - 1 && length % ChunkUnit != 0)
            || context.Request.ContentLength != length)
        {
            await ErrorAsync(context, 400, "badContent",
                $"chunk {range} does not continue at {session.Received} or is not a multiple of {ChunkUnit} bytes");
            return;
        }

        var buffer = new byte[length];
        var read = 0;
        var limit = cutAfter >= 0 ? (int)Math.Min(cutAfter, length) : (int)length;
        while (read < limit)
        {
            var n = await context.Request.Body.ReadAsync(buffer.AsMemory(read, limit - read));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        lock (_gate)
        {
            session.Append(buffer.AsSpan(0, read), keepWholeUnitsOnly: read < length);
        }

        if (read < length)
        {
            lock (_gate)
            {
                Cuts++;
            }

            context.Abort();
            return;
        }

        await AnswerProgressAsync(context, session);
    }

    private async Task AnswerProgressAsync(HttpContext context, Session session)
    {
        FakeYouTubeVideo? video;
        long received;
        lock (_gate)
        {
            received = session.Received;
            video = session.Video;
            if (video is null && received == session.Total)
            {
                video = new FakeYouTubeVideo(Convert.ToBase64String(RandomNumberGenerator.GetBytes(8)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                    session.Title, session.Description, session.Privacy, session.Bytes());
                session.Video = video;
                _videos[video.Id] = video;
            }
        }

        if (video is not null)
        {
            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.WriteAsync(JsonSerializer.Serialize(Resource(video, uploadStatus: "uploaded")));
            return;
        }

        context.Response.StatusCode = 308;
        if (received > 0)
        {
            context.Response.Headers["Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes=0-{received - 1}");
        }
    }

    private async Task ListAsync(HttpContext context)
    {
        if (!await AdmitAsync(context, 1))
        {
            return;
        }

        var ids = context.Request.Query["id"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
        object[] items;
        lock (_gate)
        {
            items = [.. ids.Where(_videos.ContainsKey).Select(id => Resource(_videos[id], uploadStatus: "processed"))];
        }

        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            kind = "youtube#videoListResponse",
            pageInfo = new { totalResults = items.Length, resultsPerPage = items.Length },
            items,
        }));
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (!await AdmitAsync(context, 50))
        {
            return;
        }

        bool removed;
        lock (_gate)
        {
            removed = _videos.Remove(context.Request.Query["id"].ToString());
        }

        if (!removed)
        {
            await ErrorAsync(context, 404, "videoNotFound", "The video that you are trying to delete cannot be found.", "youtube.video");
            return;
        }

        context.Response.StatusCode = 204;
    }

    private async Task DownloadAsync(HttpContext context)
    {
        FakeYouTubeVideo? video;
        lock (_gate)
        {
            DownloadAgents.Add(context.Request.Headers.UserAgent.ToString());
            _videos.TryGetValue(context.Request.RouteValues["id"]?.ToString() ?? string.Empty, out video);
        }

        if (video is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "video/x-matroska";
        context.Response.ContentLength = video.Bytes.Length;
        await context.Response.Body.WriteAsync(video.Bytes);
    }

    private static object Resource(FakeYouTubeVideo video, string uploadStatus) => new
    {
        kind = "youtube#video",
        id = video.Id,
        snippet = new { title = video.Title, description = video.Description, categoryId = "28" },
        status = new { uploadStatus, privacyStatus = video.PrivacyStatus },
    };

    private static bool TryParseRange(string header, out long first, out long last, out long total)
    {
        first = last = total = -1;
        if (!header.StartsWith("bytes ", StringComparison.Ordinal))
        {
            return false;
        }

        var spec = header["bytes ".Length..];
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !long.TryParse(spec.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out total))
        {
            return false;
        }

        var span = spec[..slash];
        if (span == "*")
        {
            return true;
        }

        var dash = span.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && long.TryParse(span.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(span.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out last)
            && first <= last;
    }

    /// <summary>An upload session: declared length, metadata, the bytes received so far (guarded by the server's lock).</summary>
    private sealed class Session(long total, string title, string description, string privacy)
    {
        private readonly MemoryStream _bytes = new();

        public long Total { get; } = total;

        public string Title { get; } = title;

        public string Description { get; } = description;

        public string Privacy { get; } = privacy;

        public long Received => _bytes.Length;

        public FakeYouTubeVideo? Video { get; set; }

        public void Append(ReadOnlySpan<byte> bytes, bool keepWholeUnitsOnly)
        {
            var start = _bytes.Length;
            _bytes.Write(bytes);
            if (keepWholeUnitsOnly)
            {
                // A cut request: what the server persisted is whole 256 KiB units.
                _bytes.SetLength(Math.Max(start, _bytes.Length / ChunkUnit * ChunkUnit));
            }
        }

        public byte[] Bytes() => _bytes.ToArray();
    }
}

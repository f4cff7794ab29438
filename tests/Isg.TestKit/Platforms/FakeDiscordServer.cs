using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Isg.TestKit.Platforms;

/// <summary>
/// Discord's webhook API as documented, on loopback: <c>POST /api/v10/webhooks/ID/TOKEN?wait=true</c> (multipart
/// <c>payload_json</c> + <c>files[n]</c>, answering the message object), <c>GET</c> and <c>DELETE
/// …/messages/MESSAGEID</c>, and a CDN serving attachments at signed URLs that expire (<c>ex</c>, <c>is</c>,
/// <c>hm</c>; an expired or forged one answers 404). Limits and errors in Discord's words: an attachment over the
/// limit or a request over the request limit is 413 code 40005, a wrong token 401 code 50027, an unknown webhook 404
/// code 10015, an unknown message 404 code 10008, and a bucket of <see cref="BucketLimit"/> requests per
/// <see cref="BucketWindow"/> with X-RateLimit-* headers and 429 <c>{"retry_after","global"}</c> beyond it. It records
/// every upload so tests can see what reached the platform.
/// </summary>
public sealed class FakeDiscordServer : IAsyncDisposable
{
    /// <summary>The webhook's id.</summary>
    public const string WebhookId = "1300000000000000001";

    private readonly TimeProvider _clock;
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<StoredAttachment>> _messages = new(StringComparer.Ordinal);
    private readonly List<Upload> _uploads = [];
    private KestrelFake _server = null!;
    private long _nextId = 1_300_000_000_000_100_000;
    private DateTimeOffset _windowStart;
    private int _windowCount;
    private double _forcedRetryAfter = -1;
    private bool _forcedGlobal;

    private FakeDiscordServer(TimeProvider clock)
    {
        _clock = clock;
        _windowStart = clock.GetUtcNow();
    }

    /// <summary>The webhook's token.</summary>
    public string Token { get; } = "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>The webhook URL Discord would show (a secret).</summary>
    public string WebhookUrl => new Uri(_server.BaseAddress, $"api/webhooks/{WebhookId}/{Token}").ToString();

    /// <summary>The API root to give the backend.</summary>
    public Uri ApiBase => new(_server.BaseAddress, "api/v10/");

    /// <summary>The generic fault switches (5xx, cut connections).</summary>
    public KestrelFake Faults => _server;

    /// <summary>Largest attachment accepted (Discord: 10 MiB without boosts).</summary>
    public long AttachmentLimit { get; set; } = 10L * 1024 * 1024;

    /// <summary>Largest request accepted.</summary>
    public long RequestLimit { get; set; } = 25_000_000;

    /// <summary>Most attachments per message.</summary>
    public int AttachmentsPerMessage { get; set; } = 10;

    /// <summary>How long an attachment URL stays valid (Discord: about a day).</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Requests per bucket window before 429s.</summary>
    public int BucketLimit { get; set; } = 1_000_000;

    /// <summary>The bucket's window.</summary>
    public TimeSpan BucketWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Message fetches (GET …/messages/ID) answered.</summary>
    public int MessageFetches { get; private set; }

    /// <summary>Attachment downloads refused because the URL expired or was not signed by us.</summary>
    public int RefusedDownloads { get; private set; }

    /// <summary>429s sent.</summary>
    public int RateLimited { get; private set; }

    /// <summary>Messages in the channel.</summary>
    public int MessageCount
    {
        get
        {
            lock (_lock)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>Every file uploaded, in order.</summary>
    public IReadOnlyList<Upload> Uploads
    {
        get
        {
            lock (_lock)
            {
                return [.. _uploads];
            }
        }
    }

    /// <summary>Sizes of the attachments of every message in the channel.</summary>
    public IReadOnlyList<IReadOnlyList<int>> AttachmentSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages.Values.Select(m => (IReadOnlyList<int>)[.. m.Select(a => a.Data.Length)])];
            }
        }
    }

    /// <summary>Starts a server whose clock (URL expiry, rate-limit windows) is <paramref name="clock"/>.</summary>
    public static async Task<FakeDiscordServer> StartAsync(TimeProvider? clock = null)
    {
        var fake = new FakeDiscordServer(clock ?? TimeProvider.System);
        fake._server = await KestrelFake.StartAsync(fake.HandleAsync);
        return fake;
    }

    /// <summary>The next API request is answered 429 with <paramref name="retryAfterSeconds"/>.</summary>
    public void RateLimitNext(double retryAfterSeconds, bool global = false)
    {
        lock (_lock)
        {
            _forcedRetryAfter = retryAfterSeconds;
            _forcedGlobal = global;
        }
    }

    /// <summary>Deletes every message, as a moderator would.</summary>
    public void DeleteAllMessages()
    {
        lock (_lock)
        {
            _messages.Clear();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/attachments/", StringComparison.Ordinal))
        {
            await ServeAttachmentAsync(context, path);
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 5 || segments[0] != "api" || segments[1] != "v10" || segments[2] != "webhooks")
        {
            await ErrorAsync(context, 404, "404: Not Found", 0);
            return;
        }

        if (segments[3] != WebhookId)
        {
            await ErrorAsync(context, 404, "Unknown Webhook", 10015);
            return;
        }

        if (segments[4] != Token)
        {
            await ErrorAsync(context, 401, "Invalid Webhook Token", 50027);
            return;
        }

        if (!TakeFromBucket(context, out var retryAfter, out var global))
        {
            context.Response.Headers["Retry-After"] = Math.Ceiling(retryAfter).ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-RateLimit-Scope"] = global ? "global" : "user";
            if (global)
            {
                context.Response.Headers["X-RateLimit-Global"] = "true";
            }

            context.Response.StatusCode = 429;
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["message"] = "You are being rate limited.",
                ["retry_after"] = retryAfter,
                ["global"] = global,
            });
            return;
        }

        var method = context.Request.Method;
        if (segments.Length == 5 && method == "POST")
        {
            await ExecuteAsync(context);
        }
        else if (segments.Length == 7 && segments[5] == "messages" && method == "GET")
        {
            await GetMessageAsync(context, segments[6]);
        }
        else if (segments.Length == 7 && segments[5] == "messages" && method == "DELETE")
        {
            bool removed;
            lock (_lock)
            {
                removed = _messages.Remove(segments[6]);
            }

            if (removed)
            {
                context.Response.StatusCode = 204;
            }
            else
            {
                await ErrorAsync(context, 404, "Unknown Message", 10008);
            }
        }
        else
        {
            await ErrorAsync(context, 405, "405: Method Not Allowed", 0);
        }
    }

    private async Task ExecuteAsync(HttpContext context)
    {
        if (context.Request.ContentLength is { } length && length > RequestLimit)
        {
            await ErrorAsync(context, 413, "Request entity too large", 40005);
            return;
        }

        if (!context.Request.HasFormContentType || context.Request.Query["wait"] != "true")
        {
            await ErrorAsync(context, 400, "Cannot send an empty message", 50006);
            return;
        }

        var form = await context.Request.ReadFormAsync();
        var payload = form["payload_json"].ToString();
        var files = new List<(string Field, string FileName, byte[] Data)>();
        foreach (var file in form.Files)
        {
            if (file.Length > AttachmentLimit)
            {
                await ErrorAsync(context, 413, "Request entity too large", 40005);
                return;
            }

            using var memory = new MemoryStream();
            await file.CopyToAsync(memory);
            files.Add((file.Name, file.FileName, memory.ToArray()));
        }

        if (files.Count == 0 || files.Count > AttachmentsPerMessage || !files.All(f => f.Field.StartsWith("files[", StringComparison.Ordinal)))
        {
            await ErrorAsync(context, 400, "Invalid Form Body", 50035);
            return;
        }

        string id;
        List<StoredAttachment> stored;
        lock (_lock)
        {
            id = (_nextId++).ToString(CultureInfo.InvariantCulture);
            stored = [.. files.Select(f => new StoredAttachment((_nextId++).ToString(CultureInfo.InvariantCulture), f.FileName, f.Data))];
            _messages[id] = stored;
            _uploads.AddRange(files.Select(f => new Upload(f.FileName, f.Data, payload)));
        }

        await WriteMessageAsync(context, id, stored);
    }

    private async Task GetMessageAsync(HttpContext context, string id)
    {
        List<StoredAttachment>? stored;
        lock (_lock)
        {
            MessageFetches++;
            stored = _messages.GetValueOrDefault(id);
        }

        if (stored is null)
        {
            await ErrorAsync(context, 404, "Unknown Message", 10008);
            return;
        }

        await WriteMessageAsync(context, id, stored);
    }

    private async Task WriteMessageAsync(HttpContext context, string id, List<StoredAttachment> attachments)
    {
        var now = _clock.GetUtcNow();
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["id"] = id,
            ["type"] = 0,
            ["content"] = "",
            ["channel_id"] = "1300000000000000009",
            ["webhook_id"] = WebhookId,
            ["timestamp"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["attachments"] = attachments.Select(a => new Dictionary<string, object>
            {
                ["id"] = a.Id,
                ["filename"] = a.FileName,
                ["size"] = a.Data.Length,
                ["url"] = SignedUrl(id, a, now),
                ["proxy_url"] = SignedUrl(id, a, now),
                ["content_type"] = "application/octet-stream",
            }).ToList(),
        });
    }

    private string SignedUrl(string messageId, StoredAttachment attachment, DateTimeOffset now)
    {
        var path = $"/attachments/{messageId}/{attachment.Id}/{attachment.FileName}";
        var ex = (now + UrlLifetime).ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        var issued = now.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        return new Uri(_server.BaseAddress, $"{path[1..]}?ex={ex}&is={issued}&hm={Sign(path, ex, issued)}&").ToString();
    }

    private string Sign(string path, string ex, string issued) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey, Encoding.UTF8.GetBytes($"{path}|{ex}|{issued}")));

    private async Task ServeAttachmentAsync(HttpContext context, string path)
    {
        var query = context.Request.Query;
        var ex = query["ex"].ToString();
        var issued = query["is"].ToString();
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(query["hm"].ToString()), Encoding.ASCII.GetBytes(Sign(path, ex, issued)))
            && long.TryParse(ex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var expiry)
            && DateTimeOffset.FromUnixTimeSeconds(expiry) > _clock.GetUtcNow();
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        StoredAttachment? attachment = null;
        lock (_lock)
        {
            if (!valid)
            {
                RefusedDownloads++;
            }
            else if (segments.Length == 4 && _messages.TryGetValue(segments[1], out var message))
            {
                attachment = message.FirstOrDefault(a => a.Id == segments[2] && a.FileName == segments[3]);
            }
        }

        if (attachment is null)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("This content is no longer available.");
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = attachment.Data.Length;
        await context.Response.Body.WriteAsync(attachment.Data);
    }

    private bool TakeFromBucket(HttpContext context, out double retryAfter, out bool global)
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            if (now - _windowStart >= BucketWindow)
            {
                _windowStart = now;
                _windowCount = 0;
            }

            var resetAfter = (_windowStart + BucketWindow - now).TotalSeconds;
            global = _forcedGlobal;
            if (_forcedRetryAfter >= 0)
            {
                retryAfter = _forcedRetryAfter;
                _forcedRetryAfter = -1;
                RateLimited++;
                return false;
            }

            if (_windowCount >= BucketLimit)
            {
                retryAfter = resetAfter;
                RateLimited++;
                return false;
            }

            _windowCount++;
            retryAfter = 0;
            var headers = context.Response.Headers;
            headers["X-RateLimit-Limit"] = BucketLimit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = (BucketLimit - _windowCount).ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = ((_windowStart + BucketWindow).ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset-After"] = resetAfter.ToString("0.000", CultureInfo.InvariantCulture);
            headers["X-RateLimit-Bucket"] = "webhook-" + WebhookId;
            return true;
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message, int code)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["message"] = message, ["code"] = code });
    }

    /// <summary>A file as it reached the platform: its name, bytes and the message's payload_json.</summary>
    public sealed record Upload(string FileName, byte[] Data, string PayloadJson);

    private sealed record StoredAttachment(string Id, string FileName, byte[] Data);
}

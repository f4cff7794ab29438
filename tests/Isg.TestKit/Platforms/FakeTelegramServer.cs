using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Isg.TestKit.Platforms;

/// <summary>
/// The Bot API as documented, on loopback: <c>POST /botTOKEN/sendDocument</c> (multipart chat_id + document),
/// <c>getFile</c> (file_id → file_path), the download at <c>/file/botTOKEN/FILE_PATH</c> and <c>deleteMessage</c>, all
/// answering <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error_code":N,"description":…}</c>. Limits and errors:
/// a document over <see cref="UploadLimit"/> is 413, getFile of a file over <see cref="DownloadLimit"/> is 400 "file is
/// too big", a wrong token 401, an unknown chat 400, a missing message on delete 400 "message to delete not found", and
/// more than <see cref="RequestLimit"/> requests per <see cref="Window"/> 429 with <c>parameters.retry_after</c>.
/// Deleting a message deletes its file. It records every upload.
/// </summary>
public sealed class FakeTelegramServer : IAsyncDisposable
{
    /// <summary>The channel the bot may post into.</summary>
    public const string ChatId = "-1001234567890";

    private readonly Lock _lock = new();
    private readonly Dictionary<long, string> _fileOfMessage = [];
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly List<Upload> _uploads = [];
    private KestrelFake _server = null!;
    private long _nextMessage = 100;
    private DateTimeOffset _windowStart = DateTimeOffset.UtcNow;
    private int _windowCount;
    private int _forcedRetryAfter;

    private FakeTelegramServer()
    {
    }

    /// <summary>The bot's token.</summary>
    public string Token { get; } = "123456789:AA" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>The Bot API root to give the backend.</summary>
    public Uri ApiBase => _server.BaseAddress;

    /// <summary>The generic fault switches (5xx, cut connections).</summary>
    public KestrelFake Faults => _server;

    /// <summary>Largest document sendDocument accepts (the Bot API: 50 MB).</summary>
    public long UploadLimit { get; set; } = 50L * 1000 * 1000;

    /// <summary>Largest file getFile serves (the Bot API: 20 MB).</summary>
    public long DownloadLimit { get; set; } = 20L * 1000 * 1000;

    /// <summary>Requests per window before 429s.</summary>
    public int RequestLimit { get; set; } = 1_000_000;

    /// <summary>The rate-limit window.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>429s sent.</summary>
    public int RateLimited { get; private set; }

    /// <summary>Messages in the channel.</summary>
    public int MessageCount
    {
        get
        {
            lock (_lock)
            {
                return _fileOfMessage.Count;
            }
        }
    }

    /// <summary>Sizes of the files in the channel.</summary>
    public IReadOnlyList<int> FileSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _fileOfMessage.Values.Select(f => _files[f].Length)];
            }
        }
    }

    /// <summary>Every document uploaded, in order.</summary>
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

    /// <summary>Starts a server.</summary>
    public static async Task<FakeTelegramServer> StartAsync()
    {
        var fake = new FakeTelegramServer();
        fake._server = await KestrelFake.StartAsync(fake.HandleAsync);
        return fake;
    }

    /// <summary>The next request is answered 429 with <paramref name="retryAfterSeconds"/>.</summary>
    public void RateLimitNext(int retryAfterSeconds)
    {
        lock (_lock)
        {
            _forcedRetryAfter = retryAfterSeconds;
        }
    }

    /// <summary>Deletes every message (and its file), as a channel admin would.</summary>
    public void DeleteAllMessages()
    {
        lock (_lock)
        {
            foreach (var file in _fileOfMessage.Values)
            {
                _files.Remove(file);
            }

            _fileOfMessage.Clear();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var filePrefix = $"/file/bot{Token}/";
        if (path.StartsWith("/file/", StringComparison.Ordinal))
        {
            byte[]? data = null;
            lock (_lock)
            {
                if (path.StartsWith(filePrefix, StringComparison.Ordinal))
                {
                    data = _files.GetValueOrDefault(path[filePrefix.Length..]);
                }
            }

            if (data is null)
            {
                await ErrorAsync(context, 404, "Not Found");
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = data.Length;
            await context.Response.Body.WriteAsync(data);
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length != 2 || !segments[0].StartsWith("bot", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 404, "Not Found");
            return;
        }

        if (segments[0][3..] != Token)
        {
            await ErrorAsync(context, 401, "Unauthorized");
            return;
        }

        if (TakeFromWindow() is { } retryAfter)
        {
            context.Response.StatusCode = 429;
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["ok"] = false,
                ["error_code"] = 429,
                ["description"] = $"Too Many Requests: retry after {retryAfter}",
                ["parameters"] = new Dictionary<string, object> { ["retry_after"] = retryAfter },
            });
            return;
        }

        switch (segments[1])
        {
            case "sendDocument":
                await SendDocumentAsync(context);
                break;
            case "getFile":
                await GetFileAsync(context);
                break;
            case "deleteMessage":
                await DeleteMessageAsync(context);
                break;
            default:
                await ErrorAsync(context, 404, "Not Found: method not found");
                break;
        }
    }

    private async Task SendDocumentAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await ErrorAsync(context, 400, "Bad Request: there is no document in the request");
            return;
        }

        if (context.Request.ContentLength is { } length && length > UploadLimit + 64 * 1024)
        {
            await ErrorAsync(context, 413, "Request Entity Too Large");
            return;
        }

        var form = await context.Request.ReadFormAsync();
        if (form["chat_id"] != ChatId)
        {
            await ErrorAsync(context, 400, "Bad Request: chat not found");
            return;
        }

        var file = form.Files.GetFile("document");
        if (file is null)
        {
            await ErrorAsync(context, 400, "Bad Request: there is no document in the request");
            return;
        }

        if (file.Length > UploadLimit)
        {
            await ErrorAsync(context, 413, "Request Entity Too Large");
            return;
        }

        if (file.Length == 0)
        {
            await ErrorAsync(context, 400, "Bad Request: file must be non-empty");
            return;
        }

        using var memory = new MemoryStream();
        await file.CopyToAsync(memory);
        var data = memory.ToArray();
        long messageId;
        var fileId = "BQACAgQAAx" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        lock (_lock)
        {
            messageId = _nextMessage++;
            _fileOfMessage[messageId] = fileId;
            _files[fileId] = data;
            _uploads.Add(new Upload(file.FileName, data, form.Keys.Order(StringComparer.Ordinal).ToList()));
        }

        await OkAsync(context, new Dictionary<string, object>
        {
            ["message_id"] = messageId,
            ["sender_chat"] = new Dictionary<string, object> { ["id"] = long.Parse(ChatId, CultureInfo.InvariantCulture), ["type"] = "channel" },
            ["chat"] = new Dictionary<string, object> { ["id"] = long.Parse(ChatId, CultureInfo.InvariantCulture), ["type"] = "channel" },
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["document"] = new Dictionary<string, object>
            {
                ["file_name"] = file.FileName,
                ["mime_type"] = "application/octet-stream",
                ["file_id"] = fileId,
                ["file_unique_id"] = "AgAD" + fileId[^8..],
                ["file_size"] = data.Length,
            },
        });
    }

    private async Task GetFileAsync(HttpContext context)
    {
        var fileId = await ParameterAsync(context, "file_id");
        byte[]? data;
        lock (_lock)
        {
            data = fileId is null ? null : _files.GetValueOrDefault(fileId);
        }

        if (data is null)
        {
            await ErrorAsync(context, 400, "Bad Request: invalid file_id");
            return;
        }

        if (data.Length > DownloadLimit)
        {
            await ErrorAsync(context, 400, "Bad Request: file is too big");
            return;
        }

        await OkAsync(context, new Dictionary<string, object>
        {
            ["file_id"] = fileId!,
            ["file_unique_id"] = "AgAD" + fileId![^8..],
            ["file_size"] = data.Length,
            ["file_path"] = fileId,
        });
    }

    private async Task DeleteMessageAsync(HttpContext context)
    {
        var chat = await ParameterAsync(context, "chat_id");
        var messageText = await ParameterAsync(context, "message_id");
        if (chat != ChatId)
        {
            await ErrorAsync(context, 400, "Bad Request: chat not found");
            return;
        }

        var removed = false;
        if (long.TryParse(messageText, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            lock (_lock)
            {
                if (_fileOfMessage.Remove(messageId, out var fileId))
                {
                    _files.Remove(fileId);
                    removed = true;
                }
            }
        }

        if (removed)
        {
            await OkAsync(context, true);
        }
        else
        {
            await ErrorAsync(context, 400, "Bad Request: message to delete not found");
        }
    }

    private static async Task<string?> ParameterAsync(HttpContext context, string name)
    {
        if (context.Request.Query.TryGetValue(name, out var value))
        {
            return value.ToString();
        }

        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync();
            if (form.TryGetValue(name, out value))
            {
                return value.ToString();
            }
        }

        return null;
    }

    private int? TakeFromWindow()
    {
        lock (_lock)
        {
            if (_forcedRetryAfter > 0)
            {
                var forced = _forcedRetryAfter;
                _forcedRetryAfter = 0;
                RateLimited++;
                return forced;
            }

            var now = DateTimeOffset.UtcNow;
            if (now - _windowStart >= Window)
            {
                _windowStart = now;
                _windowCount = 0;
            }

            if (_windowCount >= RequestLimit)
            {
                RateLimited++;
                return Math.Max(1, (int)Math.Ceiling((_windowStart + Window - now).TotalSeconds));
            }

            _windowCount++;
            return null;
        }
    }

    private static Task OkAsync(HttpContext context, object result) =>
        context.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["ok"] = true, ["result"] = result });

    private static async Task ErrorAsync(HttpContext context, int code, string description)
    {
        context.Response.StatusCode = code;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["ok"] = false, ["error_code"] = code, ["description"] = description });
    }

    /// <summary>A document as it reached the platform: its file name, bytes and the form fields sent with it.</summary>
    public sealed record Upload(string FileName, byte[] Data, IReadOnlyList<string> Fields);
}

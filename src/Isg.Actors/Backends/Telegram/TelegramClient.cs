using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Isg.Actors.Backends.Remote;

namespace Isg.Actors.Backends.Telegram;

/// <summary>
/// The Bot API methods a storage backend needs: <c>sendDocument</c> (multipart), <c>getFile</c> and the file download,
/// <c>deleteMessage</c>. Failures are <see cref="BackendException"/>s classified from the API's
/// <c>{"ok":false,"error_code":N,"description":…,"parameters":{"retry_after":S}}</c>: 429 Transient with RetryAfter (and
/// later calls wait it out), 401/403 Unauthorized, 413 and other 400s Permanent, 5xx Transient. The token never
/// appears in an exception or log. Thread-safe.
/// </summary>
public sealed class TelegramClient : IDisposable
{
    private const string Bucket = "bot";

    private readonly TelegramBackendOptions _options;
    private readonly HttpClient _http;
    private readonly RateLimitGate _gate;
    private readonly Uri _apiBase;

    /// <summary>A client for <paramref name="options"/> (validated here).</summary>
    public TelegramClient(TelegramBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _gate = new RateLimitGate(options.Name, options.TimeProvider, options.MaxRateLimitWait);
        // Relative paths resolve under the base only when it ends with a slash.
        _apiBase = options.ApiBase.AbsolutePath.EndsWith('/') ? options.ApiBase : new Uri(options.ApiBase + "/");
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Sends <paramref name="data"/> as a document named <paramref name="fileName"/> to the channel, silently.</summary>
    public async Task<TelegramDocument> SendDocumentAsync(string fileName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var json = await CallAsync("sendDocument", () =>
        {
            var form = new MultipartFormDataContent
            {
                { new StringContent(_options.ChatId), "chat_id" },
                { new StringContent("true"), "disable_notification" },
                { new StringContent("true"), "disable_content_type_detection" },
            };
            var file = new ReadOnlyMemoryContent(data);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "document", fileName);
            return form;
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            var message = json.RootElement.GetProperty("result");
            var document = message.GetProperty("document");
            return new TelegramDocument(
                message.GetProperty("message_id").GetInt64(),
                document.GetProperty("file_id").GetString() ?? throw new FormatException("null file_id"),
                document.TryGetProperty("file_size", out var size) ? size.GetInt64() : data.Length);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Unreadable("sendDocument", e);
        }
    }

    /// <summary>The download path of file <paramref name="fileId"/>; NotFound when Telegram no longer knows it.</summary>
    public async Task<string> GetFilePathAsync(string fileId, CancellationToken cancellationToken)
    {
        try
        {
            using var json = await CallAsync("getFile", () => new FormUrlEncodedContent([new("file_id", fileId)]), cancellationToken).ConfigureAwait(false);
            return json.RootElement.GetProperty("result").GetProperty("file_path").GetString() ?? throw new FormatException("null file_path");
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Unreadable("getFile", e);
        }
    }

    /// <summary>Downloads the file at <paramref name="filePath"/> into <paramref name="destination"/>; returns the bytes read.</summary>
    public async Task<int> DownloadAsync(string filePath, Memory<byte> destination, CancellationToken cancellationToken)
    {
        // Appended, not resolved: a token "123:ABC" read as a relative URI would be a scheme.
        var uri = new Uri(_apiBase.AbsoluteUri + $"file/bot{Token}/{filePath.TrimStart('/')}");
        await _gate.WaitAsync(Bucket, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync("file download", response, cancellationToken).ConfigureAwait(false);
            }

            return await HttpBodies.ReadIntoAsync(response.Content, destination, _options.Name, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Transport(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Deletes message <paramref name="messageId"/> from the channel; false when it was already gone.</summary>
    public async Task<bool> DeleteMessageAsync(long messageId, CancellationToken cancellationToken)
    {
        try
        {
            using var json = await CallAsync("deleteMessage", () => new FormUrlEncodedContent(
            [
                new("chat_id", _options.ChatId),
                new("message_id", messageId.ToString(CultureInfo.InvariantCulture)),
            ]), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private string Token => _options.BotToken ?? throw new BackendException(BackendFailureKind.Unauthorized, _options.Name, "no bot token is configured");

    private async Task<JsonDocument> CallAsync(string method, Func<HttpContent> content, CancellationToken cancellationToken)
    {
        var uri = new Uri(_apiBase.AbsoluteUri + $"bot{Token}/{method}");
        await _gate.WaitAsync(Bucket, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content() };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync(method, response, cancellationToken).ConfigureAwait(false);
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
            {
                json.Dispose();
                throw new BackendException(BackendFailureKind.Transient, _options.Name, $"{method}: HTTP 200 without ok=true");
            }

            return json;
        }
        catch (JsonException e)
        {
            throw Unreadable(method, e);
        }
        catch (Exception e) when (Transport(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    private async Task<BackendException> FailureAsync(string method, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await HttpBodies.ReadExcerptAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        string? description = null;
        int? retryAfter = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                status = root.TryGetProperty("error_code", out var code) && code.TryGetInt32(out var c) ? c : status;
                description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                retryAfter = root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                    && p.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var ri) ? ri : null;
            }
        }
        catch (JsonException)
        {
            // Not the Bot API's JSON (a proxy's page, a file server's 404): the status alone decides.
        }

        var what = $"{method}: HTTP {status}: {description ?? (body.Length > 0 ? body : response.ReasonPhrase)}";
        if (status == 429)
        {
            var wait = TimeSpan.FromSeconds(retryAfter is > 0 ? retryAfter.Value : 1);
            _gate.Pause(Bucket, wait);
            return new BackendException(BackendFailureKind.Transient, _options.Name, what) { RetryAfter = wait };
        }

        var kind = status switch
        {
            // "Bad Request: invalid file_id" (the file is gone), "Bad Request: message to delete not found".
            400 when method == "getFile" && description?.Contains("too big", StringComparison.OrdinalIgnoreCase) != true => BackendFailureKind.NotFound,
            400 when method == "deleteMessage" && description?.Contains("not found", StringComparison.OrdinalIgnoreCase) == true => BackendFailureKind.NotFound,
            401 or 403 => BackendFailureKind.Unauthorized,
            // The API answers 404 for a token it cannot parse; the file server for a file that is gone.
            404 => method == "file download" ? BackendFailureKind.NotFound : BackendFailureKind.Unauthorized,
            408 or >= 500 => BackendFailureKind.Transient,
            _ => BackendFailureKind.Permanent,
        };
        return new BackendException(kind, _options.Name, what);
    }

    private BackendException Unreadable(string method, Exception e) =>
        new(BackendFailureKind.Transient, _options.Name, $"{method}: unreadable answer: {e.Message}", e);

    private BackendException? Transport(Exception e, CancellationToken cancellationToken) => e switch
    {
        BackendException => null,
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException => new BackendException(BackendFailureKind.Transient, _options.Name, $"no answer within {_options.RequestTimeout}", e),
        HttpRequestException or IOException => new BackendException(BackendFailureKind.Transient, _options.Name, $"transport failure: {e.Message}", e),
        _ => null,
    };
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Isg.Actors.Backends.Remote;

namespace Isg.Actors.Backends.Discord;

/// <summary>
/// Discord's webhook API over HTTP: execute a webhook with files (<c>POST /webhooks/ID/TOKEN?wait=true</c>,
/// multipart with <c>payload_json</c> and <c>files[n]</c>), get and delete the webhook's messages, download attachment
/// URLs. Failures are <see cref="BackendException"/>s classified from Discord's status and JSON error code; 429s and
/// empty rate-limit buckets pause the route through a <see cref="RateLimitGate"/>. The webhook token never appears in
/// an exception or log. Thread-safe.
/// </summary>
public sealed class DiscordClient : IDisposable
{
    private const string ExecuteRoute = "execute";
    private const string MessageRoute = "message";
    private const string DeleteRoute = "delete";
    private const int UnknownMessage = 10008;
    private const int UnknownWebhook = 10015;

    private static readonly TimeSpan s_resetMargin = TimeSpan.FromMilliseconds(50);

    private readonly DiscordBackendOptions _options;
    private readonly HttpClient _http;
    private readonly RateLimitGate _gate;
    private readonly Uri _apiBase;
    private readonly string? _webhookPath;

    /// <summary>A client for <paramref name="options"/> (validated here).</summary>
    public DiscordClient(DiscordBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _gate = new RateLimitGate(options.Name, options.TimeProvider, options.MaxRateLimitWait);
        // Relative paths resolve under the base only when it ends with a slash.
        _apiBase = options.ApiBase.AbsolutePath.EndsWith('/') ? options.ApiBase : new Uri(options.ApiBase + "/");
        if (options.WebhookUrl is not null && TryParseWebhook(options.WebhookUrl, out var id, out var token))
        {
            _webhookPath = $"webhooks/{id}/{token}";
        }

        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("DiscordBot (https://github.com/isg, 1)");
    }

    /// <summary>Splits a webhook URL (<c>…/webhooks/ID/TOKEN</c>) into its id and token.</summary>
    public static bool TryParseWebhook(string url, out string id, out string token)
    {
        id = token = "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.LastIndexOf(segments, "webhooks");
        if (at < 0 || at + 3 != segments.Length || segments[at + 1].Length == 0 || !segments[at + 1].All(char.IsAsciiDigit))
        {
            return false;
        }

        id = segments[at + 1];
        token = segments[at + 2];
        return token.Length > 0;
    }

    /// <summary>Posts one message carrying <paramref name="files"/> (name, bytes) as attachments; returns the message Discord created.</summary>
    public async Task<DiscordMessage> ExecuteWebhookAsync(IReadOnlyList<(string FileName, ReadOnlyMemory<byte> Data)> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var payload = new StringBuilder("{\"attachments\":[");
        for (var i = 0; i < files.Count; i++)
        {
            payload.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"filename\":")
                .Append(JsonSerializer.Serialize(files[i].FileName)).Append('}');
        }

        payload.Append("]}");
        var payloadJson = payload.ToString();
        using var response = await SendAsync(ExecuteRoute, () =>
        {
            var form = new MultipartFormDataContent();
            form.Add(new StringContent(payloadJson, Encoding.UTF8, "application/json"), "payload_json");
            for (var i = 0; i < files.Count; i++)
            {
                var file = new ReadOnlyMemoryContent(files[i].Data);
                file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(file, $"files[{i}]", files[i].FileName);
            }

            return new HttpRequestMessage(HttpMethod.Post, Api("?wait=true")) { Content = form };
        }, cancellationToken).ConfigureAwait(false);
        return await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The webhook's message <paramref name="messageId"/>, with fresh attachment URLs; NotFound when it is gone.</summary>
    public async Task<DiscordMessage> GetMessageAsync(string messageId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(MessageRoute,
            () => new HttpRequestMessage(HttpMethod.Get, Api($"/messages/{Uri.EscapeDataString(messageId)}")), cancellationToken).ConfigureAwait(false);
        return await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the webhook's message <paramref name="messageId"/>; false when it was already gone.</summary>
    public async Task<bool> DeleteMessageAsync(string messageId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(DeleteRoute,
                () => new HttpRequestMessage(HttpMethod.Delete, Api($"/messages/{Uri.EscapeDataString(messageId)}")), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Downloads attachment <paramref name="url"/> into <paramref name="destination"/>; returns the bytes read, or null
    /// when the URL is no longer valid (expired signature: fetch the message again for a fresh one).
    /// </summary>
    public async Task<int?> DownloadAsync(string url, Memory<byte> destination, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Gone)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new BackendException(StatusKind(response.StatusCode), _options.Name, $"attachment download failed: HTTP {(int)response.StatusCode}");
            }

            return await HttpBodies.ReadIntoAsync(response.Content, destination, _options.Name, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Transport(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private static BackendFailureKind StatusKind(HttpStatusCode status) => (int)status switch
    {
        401 or 403 => BackendFailureKind.Unauthorized,
        404 => BackendFailureKind.NotFound,
        408 or 429 or >= 500 => BackendFailureKind.Transient,
        _ => BackendFailureKind.Permanent,
    };

    private Uri Api(string suffix) =>
        new(_apiBase, (_webhookPath ?? throw new BackendException(BackendFailureKind.Unauthorized, _options.Name, "no webhook URL is configured")) + suffix);

    private async Task<HttpResponseMessage> SendAsync(string route, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(route, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            using var request = build();
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Transport(e, cancellationToken) is { } failure)
        {
            throw failure;
        }

        try
        {
            ObserveRateLimit(route, response);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            throw await FailureAsync(route, response, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private void ObserveRateLimit(string route, HttpResponseMessage response)
    {
        if (Header(response, "X-RateLimit-Remaining") is "0" && Seconds(Header(response, "X-RateLimit-Reset-After")) is { } resetAfter)
        {
            // Reset-After is rounded to milliseconds and the clocks differ: arriving a little late beats a 429.
            _gate.Pause(route, resetAfter + s_resetMargin);
        }
    }

    private async Task<BackendException> FailureAsync(string route, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await HttpBodies.ReadExcerptAsync(response.Content, cancellationToken).ConfigureAwait(false);
        string? message = null;
        int? code = null;
        double? retryAfter = null;
        var global = false;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : null;
                retryAfter = root.TryGetProperty("retry_after", out var r) && r.TryGetDouble(out var rd) ? rd : null;
                global = root.TryGetProperty("global", out var g) && g.ValueKind == JsonValueKind.True;
            }
        }
        catch (JsonException)
        {
            // Not Discord's JSON (a proxy's page): the status alone decides.
        }

        var status = (int)response.StatusCode;
        var what = $"HTTP {status}{(code is { } known ? $" code {known}" : "")}: {message ?? (body.Length > 0 ? body : response.ReasonPhrase)}";
        if (status == 429)
        {
            var wait = retryAfter is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : Seconds(Header(response, "Retry-After")) ?? TimeSpan.FromSeconds(1);
            global |= Header(response, "X-RateLimit-Global") is "true";
            _gate.Pause(global ? RateLimitGate.Global : route, wait);
            return new BackendException(BackendFailureKind.Transient, _options.Name, $"rate limited{(global ? " (global)" : "")}: {what}") { RetryAfter = wait };
        }

        var kind = (status, code) switch
        {
            (404, UnknownWebhook) => BackendFailureKind.Unauthorized,
            (404, UnknownMessage) => BackendFailureKind.NotFound,
            // A 404 from a webhook route without Discord's code means the webhook itself is unknown.
            (404, _) when route == ExecuteRoute => BackendFailureKind.Unauthorized,
            _ => StatusKind(response.StatusCode),
        };
        return new BackendException(kind, _options.Name, what);
    }

    private async Task<DiscordMessage> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var attachments = new List<DiscordAttachment>();
            if (root.TryGetProperty("attachments", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in list.EnumerateArray())
                {
                    attachments.Add(new DiscordAttachment(
                        a.GetProperty("id").GetString() ?? "",
                        a.GetProperty("filename").GetString() ?? "",
                        a.GetProperty("size").GetInt64(),
                        a.GetProperty("url").GetString() ?? ""));
                }
            }

            var id = root.GetProperty("id").GetString();
            return string.IsNullOrEmpty(id)
                ? throw new BackendException(BackendFailureKind.Transient, _options.Name, "Discord returned a message without an id")
                : new DiscordMessage(id, attachments);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BackendException(BackendFailureKind.Transient, _options.Name, $"Discord returned an unreadable message object: {e.Message}", e);
        }
    }

    private BackendException? Transport(Exception e, CancellationToken cancellationToken) => e switch
    {
        BackendException => null,
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException => new BackendException(BackendFailureKind.Transient, _options.Name, $"no answer within {_options.RequestTimeout}", e),
        HttpRequestException or IOException => new BackendException(BackendFailureKind.Transient, _options.Name, $"transport failure: {e.Message}", e),
        _ => null,
    };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static TimeSpan? Seconds(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 1e7
            ? TimeSpan.FromSeconds(seconds)
            : null;
}

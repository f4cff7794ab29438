using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Isg.Actors.Backends.Remote;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Access tokens for an installed app from Google's OAuth 2.0 token endpoint (grant_type=refresh_token). A token is
/// cached until shortly before it expires; <see cref="Invalidate"/> after a 401 forces the next call to refresh. When
/// the endpoint hands out a new refresh token it replaces the old one here and is passed to the rotation callback
/// (see <see cref="YouTubeBackendOptions.RefreshTokenRotated"/>). A revoked or expired refresh token (400 invalid_grant)
/// fails Unauthorized. Thread-safe: concurrent callers share one refresh.
/// </summary>
public sealed class OAuthTokenSource
{
    // Refresh this long before the stated expiry, so a token does not die in flight.
    private static readonly TimeSpan s_expirySkew = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _clientId;
    private readonly string? _clientSecret;
    private readonly string _backend;
    private readonly TimeProvider _time;
    private readonly Func<string, CancellationToken, Task>? _rotated;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);

    private string? _refreshToken;
    private string? _accessToken;
    private DateTimeOffset _expiresAt;

    /// <summary>A source for <paramref name="backend"/> refreshing at <paramref name="endpoint"/> with the given client and refresh token (null: every call fails Unauthorized).</summary>
    public OAuthTokenSource(
        HttpClient http, Uri endpoint, string? clientId, string? clientSecret, string? refreshToken, string backend,
        TimeProvider time, Func<string, CancellationToken, Task>? refreshTokenRotated, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _endpoint = endpoint;
        _clientId = clientId;
        _clientSecret = clientSecret;
        _refreshToken = refreshToken;
        _backend = backend;
        _time = time;
        _rotated = refreshTokenRotated;
        _logger = logger;
    }

    /// <summary>The refresh token in use (the latest one the endpoint handed out).</summary>
    public string? RefreshToken => Volatile.Read(ref _refreshToken);

    /// <summary>How many times a token was fetched from the endpoint.</summary>
    public int Refreshes { get; private set; }

    /// <summary>A valid access token: the cached one, or a fresh one from the endpoint.</summary>
    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var token = Volatile.Read(ref _accessToken);
        return token is not null && _time.GetUtcNow() < _expiresAt
            ? ValueTask.FromResult(token)
            : new ValueTask<string>(RefreshAsync(token, cancellationToken));
    }

    /// <summary>Forgets <paramref name="accessToken"/> (the API refused it with 401) so the next call refreshes; a newer token is kept.</summary>
    public void Invalidate(string accessToken) => Interlocked.CompareExchange(ref _accessToken, null, accessToken);

    private async Task<string> RefreshAsync(string? stale, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Volatile.Read(ref _accessToken);
            if (current is not null && current != stale && _time.GetUtcNow() < _expiresAt)
            {
                // Another caller refreshed while this one waited.
                return current;
            }

            if (string.IsNullOrEmpty(_refreshToken) || string.IsNullOrEmpty(_clientId))
            {
                throw new BackendException(BackendFailureKind.Unauthorized, _backend,
                    "no OAuth client id or refresh token is configured: run the consent flow and store them as the backend's secrets");
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
            {
                Content = new FormUrlEncodedContent(
                [
                    new("grant_type", "refresh_token"),
                    new("client_id", _clientId),
                    new("client_secret", _clientSecret ?? string.Empty),
                    new("refresh_token", _refreshToken),
                ]),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, body);
            }

            var (accessToken, expiresIn, rotated) = ParseToken(body);
            Refreshes++;
            _expiresAt = _time.GetUtcNow() + expiresIn - s_expirySkew;
            Volatile.Write(ref _accessToken, accessToken);
            if (rotated is not null && rotated != _refreshToken)
            {
                Volatile.Write(ref _refreshToken, rotated);
                await NotifyRotatedAsync(rotated, cancellationToken).ConfigureAwait(false);
            }

            return accessToken;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task NotifyRotatedAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (_rotated is null)
        {
            _logger.LogWarning("YouTube backend {Name}: the token endpoint rotated the refresh token and nothing persists it", _backend);
            return;
        }

        try
        {
            await _rotated(refreshToken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The new token works in this process; only a restart would use the stale stored one.
            _logger.LogError(e, "YouTube backend {Name}: persisting the rotated refresh token failed", _backend);
        }
    }

    private (string AccessToken, TimeSpan ExpiresIn, string? RefreshToken) ParseToken(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("access_token", out var access) && access.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(access.GetString()))
            {
                var expiresIn = root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number
                    ? TimeSpan.FromSeconds(Math.Max(0, expires.GetInt64()))
                    : TimeSpan.FromMinutes(5);
                var refresh = root.TryGetProperty("refresh_token", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
                return (access.GetString()!, expiresIn, string.IsNullOrEmpty(refresh) ? null : refresh);
            }
        }
        catch (JsonException e)
        {
            throw new BackendException(BackendFailureKind.Transient, _backend, "the token endpoint answered something that is not JSON", e);
        }

        throw new BackendException(BackendFailureKind.Transient, _backend, "the token endpoint's answer has no access_token");
    }

    private BackendException Failure(HttpResponseMessage response, string body)
    {
        var reason = GoogleErrors.Reason(body);
        var what = $"refreshing the access token: {GoogleErrors.Describe(response.StatusCode, reason)}";
        var status = (int)response.StatusCode;
        var kind = response.StatusCode switch
        {
            // invalid_grant: the refresh token was revoked, expired or belongs to another client; invalid_client: bad id/secret.
            HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => BackendFailureKind.Unauthorized,
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => BackendFailureKind.Transient,
            _ when status >= 500 => BackendFailureKind.Transient,
            _ => BackendFailureKind.Permanent,
        };
        return new BackendException(kind, _backend, kind == BackendFailureKind.Unauthorized ? what + " (consent again to get a new refresh token)" : what)
        {
            RetryAfter = RemoteFailures.RetryAfter(response, _time),
        };
    }
}

using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// The first consent of Google's OAuth 2.0 flow for installed apps: the authorization URL with PKCE (S256) and a
/// state, a loopback redirect (http://127.0.0.1:PORT/, which the caller listens on), and the exchange of the returned
/// code for a refresh token (grant_type=authorization_code with the code verifier). The refresh token then goes into
/// the backend's encrypted secrets (Secrets["refreshToken"]).
/// </summary>
public sealed class OAuthConsent
{
    /// <summary>Google's authorization endpoint.</summary>
    public static Uri DefaultAuthorizationEndpoint { get; } = new("https://accounts.google.com/o/oauth2/v2/auth");

    /// <summary>The scopes the backend needs: uploads and managing (listing, deleting) the channel's videos.</summary>
    public const string YouTubeScopes = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube";

    private OAuthConsent(Uri authorizationUrl, string codeVerifier, string state, Uri redirectUri)
    {
        AuthorizationUrl = authorizationUrl;
        CodeVerifier = codeVerifier;
        State = state;
        RedirectUri = redirectUri;
    }

    /// <summary>Where the user's browser goes to consent.</summary>
    public Uri AuthorizationUrl { get; }

    /// <summary>The PKCE secret, sent only with the code exchange.</summary>
    public string CodeVerifier { get; }

    /// <summary>The anti-forgery value the redirect must carry back.</summary>
    public string State { get; }

    /// <summary>The loopback address Google redirects to.</summary>
    public Uri RedirectUri { get; }

    /// <summary>A new consent for <paramref name="clientId"/> redirecting to <paramref name="redirectUri"/> (a loopback URL the caller listens on).</summary>
    public static OAuthConsent Begin(string clientId, Uri redirectUri, Uri? authorizationEndpoint = null, string scope = YouTubeScopes)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(redirectUri);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var query = string.Join('&', new[]
        {
            ("client_id", clientId), ("redirect_uri", redirectUri.ToString()), ("response_type", "code"), ("scope", scope),
            ("code_challenge", challenge), ("code_challenge_method", "S256"), ("state", state),
            ("access_type", "offline"), ("prompt", "consent"),
        }.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        var endpoint = authorizationEndpoint ?? DefaultAuthorizationEndpoint;
        return new OAuthConsent(new Uri($"{endpoint}?{query}"), verifier, state, redirectUri);
    }

    /// <summary>
    /// Reads the redirect's query (<c>code</c> and <c>state</c>, or <c>error</c>): the code when the state matches,
    /// null with <paramref name="error"/> set otherwise (access_denied, a forged state, nothing).
    /// </summary>
    public string? ReadRedirect(Uri redirect, out string? error)
    {
        ArgumentNullException.ThrowIfNull(redirect);
        var values = redirect.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0]), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Length == 2 ? Uri.UnescapeDataString(g.First()[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);
        if (values.TryGetValue("error", out error))
        {
            return null;
        }

        if (!values.TryGetValue("state", out var state) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(State)))
        {
            error = "state_mismatch";
            return null;
        }

        if (!values.TryGetValue("code", out var code) || code.Length == 0)
        {
            error = "no_code";
            return null;
        }

        error = null;
        return code;
    }

    /// <summary>
    /// Exchanges <paramref name="code"/> for tokens at <paramref name="tokenEndpoint"/>; returns the refresh token.
    /// Throws <see cref="BackendException"/> Unauthorized when the endpoint refuses (bad code, verifier or client).
    /// </summary>
    public async Task<string> ExchangeAsync(HttpClient http, Uri tokenEndpoint, string clientId, string clientSecret, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "authorization_code"),
                new("code", code),
                new("code_verifier", CodeVerifier),
                new("client_id", clientId),
                new("client_secret", clientSecret),
                new("redirect_uri", RedirectUri.ToString()),
            ]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new BackendException(BackendFailureKind.Unauthorized, "oauth",
                $"exchanging the consent code: {GoogleErrors.Describe(response.StatusCode, GoogleErrors.Reason(body))}");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("refresh_token", out var token) && token.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(token.GetString()))
            {
                return token.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw new BackendException(BackendFailureKind.Transient, "oauth", "exchanging the consent code: the answer is not JSON", e);
        }

        throw new BackendException(BackendFailureKind.Unauthorized, "oauth",
            "exchanging the consent code: no refresh token in the answer (consent again with access_type=offline and prompt=consent)");
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using Isg.Actors.Backends;
using Isg.Actors.Backends.YouTube;
using Isg.TestKit.Platforms;

namespace Isg.Actors.Tests.Backends.YouTube;

public sealed class OAuthConsentTests
{
    private static readonly Uri s_redirect = new("http://127.0.0.1:47123/");

    [Fact]
    public void Begin_AuthorizationUrl_CarriesPkceStateAndOfflineAccess()
    {
        var consent = OAuthConsent.Begin(FakeYouTubeServer.ClientId, s_redirect);
        var query = consent.AuthorizationUrl.Query;

        Assert.StartsWith("https://accounts.google.com/o/oauth2/v2/auth?", consent.AuthorizationUrl.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", query, StringComparison.Ordinal);
        Assert.Contains("access_type=offline", query, StringComparison.Ordinal);
        Assert.Contains("state=" + Uri.EscapeDataString(consent.State), query, StringComparison.Ordinal);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString(s_redirect.ToString()), query, StringComparison.Ordinal);
        Assert.DoesNotContain(consent.CodeVerifier, query, StringComparison.Ordinal);
        Assert.InRange(consent.CodeVerifier.Length, 43, 128);
    }

    [Fact]
    public void ReadRedirect_ForgedState_IsRefused()
    {
        var consent = OAuthConsent.Begin(FakeYouTubeServer.ClientId, s_redirect);

        Assert.Null(consent.ReadRedirect(new Uri(s_redirect, "?code=abc&state=forged"), out var error));
        Assert.Equal("state_mismatch", error);
        Assert.Null(consent.ReadRedirect(new Uri(s_redirect, "?error=access_denied"), out error));
        Assert.Equal("access_denied", error);
        Assert.Equal("4/x y", consent.ReadRedirect(new Uri(s_redirect, $"?code=4%2Fx+y&state={Uri.EscapeDataString(consent.State)}"), out error));
        Assert.Null(error);
    }

    [Fact]
    public async Task ExchangeAsync_CodeWithTheRightVerifier_ReturnsTheRefreshToken()
    {
        await using var fake = await FakeYouTubeServer.StartAsync();
        using var http = new HttpClient();
        var consent = OAuthConsent.Begin(FakeYouTubeServer.ClientId, s_redirect);
        var challenge = System.Web.HttpUtility.ParseQueryString(consent.AuthorizationUrl.Query)["code_challenge"]!;
        fake.Consent(challenge);

        var refreshToken = await consent.ExchangeAsync(http, fake.TokenEndpoint, FakeYouTubeServer.ClientId, FakeYouTubeServer.ClientSecret,
            FakeYouTubeServer.ConsentCode, CancellationToken.None);

        Assert.Equal(fake.RefreshToken, refreshToken);
        var other = OAuthConsent.Begin(FakeYouTubeServer.ClientId, s_redirect);
        var refused = await Assert.ThrowsAsync<BackendException>(() => other.ExchangeAsync(http, fake.TokenEndpoint, FakeYouTubeServer.ClientId,
            FakeYouTubeServer.ClientSecret, FakeYouTubeServer.ConsentCode, CancellationToken.None));
        Assert.Equal(BackendFailureKind.Unauthorized, refused.Kind);
    }
}

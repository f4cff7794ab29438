using Isg.Actors.Backends.Video;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// Opens a YouTube backend: a <see cref="VideoPackingBackend"/> whose videos go to a <see cref="YouTubeVideoStore"/>,
/// with its own HTTP client (no redirects followed), token source and quota ledger (<c>youtube-quota</c> in the state
/// folder). Capabilities: video only, not local, quota in API units per day.
/// </summary>
public static class YouTubeBackend
{
    /// <summary>The backend <paramref name="options"/> describe; <see cref="ArgumentException"/> on invalid options.</summary>
    public static VideoPackingBackend Open(YouTubeBackendOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<YouTubeVideoStore>();
        Directory.CreateDirectory(options.StateDirectory);
#pragma warning disable CA2000 // The store owns the HTTP client and disposes it with the backend.
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = options.RequestTimeout,
        };
#pragma warning restore CA2000
        try
        {
            var tokens = new OAuthTokenSource(http, options.TokenEndpoint, options.ClientId, options.ClientSecret, options.RefreshToken,
                options.Name, options.TimeProvider, options.RefreshTokenRotated, logger);
            var quota = new YouTubeQuotaLedger(Path.Combine(options.StateDirectory, "youtube-quota"), options.DailyQuota, options.TimeProvider, options.Name);
            var client = new YouTubeClient(options, http, tokens, quota, logger);
            var store = new YouTubeVideoStore(options, client, logger, http);
            try
            {
                return new VideoPackingBackend(options.PackingOptions(), store, loggerFactory.CreateLogger<VideoPackingBackend>());
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }
}

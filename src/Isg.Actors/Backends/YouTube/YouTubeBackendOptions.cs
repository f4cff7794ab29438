using Isg.Actors.Backends.Video;
using Isg.Actors.Video;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// A YouTube backend: objects packed into ISGv2 videos (<see cref="VideoPackingBackend"/>) uploaded as unlisted videos
/// to the channel the OAuth credentials belong to; its spool, indexes and id map live under <paramref name="StateDirectory"/>.
/// </summary>
public sealed record YouTubeBackendOptions(string StateDirectory)
{
    /// <summary>The resumable upload protocol's chunk unit: every chunk but the last is a multiple of it (256 KiB).</summary>
    public const int ChunkUnit = 256 * 1024;

    /// <summary>Default <see cref="ChunkSize"/>: 8 MiB.</summary>
    public const int DefaultChunkSize = 32 * ChunkUnit;

    /// <summary>Default <see cref="DailyQuota"/>: the 10,000 units a day a new Google Cloud project gets.</summary>
    public const long DefaultDailyQuota = 10_000;

    /// <summary>Google's API host (uploads go to <c>upload/youtube/v3/videos</c>, the rest to <c>youtube/v3/videos</c>).</summary>
    public static Uri DefaultApiBaseUrl { get; } = new("https://www.googleapis.com/");

    /// <summary>Google's OAuth 2.0 token endpoint.</summary>
    public static Uri DefaultTokenEndpoint { get; } = new("https://oauth2.googleapis.com/token");

    /// <summary>The backend's name in logs, errors and catalogue locations.</summary>
    public string Name { get; init; } = "youtube";

    /// <summary>The OAuth client id of the installed app (from BackendRecord.Secrets["clientId"]).</summary>
    public string? ClientId { get; init; }

    /// <summary>The OAuth client secret of the installed app (Secrets["clientSecret"]).</summary>
    public string? ClientSecret { get; init; }

    /// <summary>The refresh token from the user's consent (Secrets["refreshToken"]). Without it every call fails Unauthorized.</summary>
    public string? RefreshToken { get; init; }

    /// <summary>
    /// Called with a new refresh token when the token endpoint rotates it; the owner must persist it (encrypted) or the
    /// next process starts with a dead one. Exceptions from it are logged, not thrown to the caller. Null: not persisted.
    /// </summary>
    public Func<string, CancellationToken, Task>? RefreshTokenRotated { get; init; }

    /// <summary>How packs are encoded (default <see cref="VideoProfiles.YouTube"/>: survives YouTube's re-encode).</summary>
    public VideoProfile Profile { get; init; } = VideoProfiles.YouTube;

    /// <summary>Spooled bytes at which a pack is sealed and uploaded without waiting for a flush. Each upload costs 1600 units.</summary>
    public long PackSize { get; init; } = VideoPackingBackendOptions.DefaultPackSize;

    /// <summary>Bytes of decoded pack payloads kept locally.</summary>
    public long CacheBytes { get; init; } = VideoPackingBackendOptions.DefaultCacheBytes;

    /// <summary>The API host; a test points it at a local fake.</summary>
    public Uri ApiBaseUrl { get; init; } = DefaultApiBaseUrl;

    /// <summary>The OAuth token endpoint.</summary>
    public Uri TokenEndpoint { get; init; } = DefaultTokenEndpoint;

    /// <summary>How videos are downloaded for decoding.</summary>
    public YouTubeDownloadMode DownloadMode { get; init; } = YouTubeDownloadMode.YtDlp;

    /// <summary>For <see cref="YouTubeDownloadMode.Direct"/>: a URL with <c>{id}</c> where the video id goes.</summary>
    public string? DirectDownloadUrl { get; init; }

    /// <summary>The yt-dlp program.</summary>
    public string YtDlpPath { get; init; } = "yt-dlp";

    /// <summary>The watch page yt-dlp is given, the video id appended.</summary>
    public string WatchUrl { get; init; } = "https://www.youtube.com/watch?v=";

    /// <summary>Bytes per upload PUT: a multiple of <see cref="ChunkUnit"/>.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>API units allowed per Pacific-time day (uploads cost 1600, lists 1, deletes 50).</summary>
    public long DailyQuota { get; init; } = DefaultDailyQuota;

    /// <summary>How often an upload asks its session where it stands and goes on after a cut connection or a 5xx.</summary>
    public int ResumeAttempts { get; init; } = 5;

    /// <summary>The wait before the first resume; doubled for each further one.</summary>
    public TimeSpan ResumeDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest one HTTP request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The uploaded videos' privacy status.</summary>
    public string PrivacyStatus { get; init; } = "unlisted";

    /// <summary>Clock for token expiry and the quota day.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The options of the packing backend that these wrap.</summary>
    public VideoPackingBackendOptions PackingOptions() =>
        new(StateDirectory) { Name = Name, Profile = Profile, PackSize = PackSize, CacheBytes = CacheBytes };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        PackingOptions().Validate();
        if (ChunkSize < ChunkUnit || ChunkSize % ChunkUnit != 0)
        {
            throw new ArgumentException($"ChunkSize must be a positive multiple of {ChunkUnit} bytes, got {ChunkSize}", nameof(ChunkSize));
        }

        if (DailyQuota < 1)
        {
            throw new ArgumentException($"DailyQuota must be positive, got {DailyQuota}", nameof(DailyQuota));
        }

        if (ResumeAttempts < 0)
        {
            throw new ArgumentException($"ResumeAttempts must not be negative, got {ResumeAttempts}", nameof(ResumeAttempts));
        }

        if (DownloadMode == YouTubeDownloadMode.Direct
            && (string.IsNullOrEmpty(DirectDownloadUrl) || !DirectDownloadUrl.Contains("{id}", StringComparison.Ordinal)))
        {
            throw new ArgumentException("DirectDownloadUrl must be a URL containing {id} for the direct download mode", nameof(DirectDownloadUrl));
        }

        if (!ApiBaseUrl.IsAbsoluteUri || !TokenEndpoint.IsAbsoluteUri)
        {
            throw new ArgumentException("ApiBaseUrl and TokenEndpoint must be absolute URLs", nameof(ApiBaseUrl));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}

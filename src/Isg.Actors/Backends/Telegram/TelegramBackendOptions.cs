namespace Isg.Actors.Backends.Telegram;

/// <summary>
/// Options of a <see cref="TelegramBackend"/>: the bot token (a secret: never logged), the channel the bot posts
/// documents into, where the Bot API is, the platform's size limits and how long to wait for a rate limit.
/// </summary>
public sealed record TelegramBackendOptions(string Name, string StateDirectory, string ChatId)
{
    /// <summary>The Bot API server.</summary>
    public static readonly Uri DefaultApiBase = new("https://api.telegram.org/");

    /// <summary>The Bot API's upload limit for sendDocument: 50 MB.</summary>
    public const long DefaultUploadLimit = 50L * 1000 * 1000;

    /// <summary>The Bot API's download limit for getFile: 20 MB. Parts are cut to fit it, since each must be read back.</summary>
    public const long DefaultDownloadLimit = 20L * 1000 * 1000;

    /// <summary>The bot token (<c>123456:ABC…</c>), from the record's secrets; null when none is configured (calls fail Unauthorized).</summary>
    public string? BotToken { get; init; }

    /// <summary>The Bot API root (a local fake in tests).</summary>
    public Uri ApiBase { get; init; } = DefaultApiBase;

    /// <summary>Largest document the API accepts, in bytes.</summary>
    public long UploadLimit { get; init; } = DefaultUploadLimit;

    /// <summary>Largest file getFile serves, in bytes.</summary>
    public long DownloadLimit { get; init; } = DefaultDownloadLimit;

    /// <summary>Part size: the smaller limit.</summary>
    public long PartLimit => Math.Min(UploadLimit, DownloadLimit);

    /// <summary>Longest one HTTP request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest a call waits out an earlier 429 before failing Transient with RetryAfter.</summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for rate-limit waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Name);
        ArgumentException.ThrowIfNullOrEmpty(StateDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(ChatId);
        ArgumentNullException.ThrowIfNull(ApiBase);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (!ApiBase.IsAbsoluteUri || ApiBase.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"telegram backend '{Name}': apiBase must be an absolute http(s) URL", nameof(ApiBase));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(UploadLimit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DownloadLimit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PartLimit, Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRateLimitWait, TimeSpan.Zero);
        if (BotToken is not null && (BotToken.Length == 0 || BotToken.Any(c => c is '/' or '?' or '#' or '%' || char.IsWhiteSpace(c))))
        {
            // The token itself is secret: name the option, never echo it.
            throw new ArgumentException($"telegram backend '{Name}': the bot token secret is malformed", nameof(BotToken));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"TelegramBackendOptions {{ Name = {Name}, ChatId = {ChatId}, ApiBase = {ApiBase}, BotToken = {(BotToken is null ? "none" : "set")} }}";
}

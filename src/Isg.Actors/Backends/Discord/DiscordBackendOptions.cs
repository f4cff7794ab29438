namespace Isg.Actors.Backends.Discord;

/// <summary>
/// Options of a <see cref="DiscordBackend"/>: the webhook that posts into the storage channel (a secret: never
/// logged), where the API is, the platform's size limits and how long to wait for a rate-limited bucket.
/// </summary>
public sealed record DiscordBackendOptions(string Name, string StateDirectory)
{
    /// <summary>Discord's API, version 10.</summary>
    public static readonly Uri DefaultApiBase = new("https://discord.com/api/v10/");

    /// <summary>Discord's attachment limit for a server without boosts: 10 MiB.</summary>
    public const long DefaultAttachmentLimit = 10L * 1024 * 1024;

    /// <summary>Attachments one message may carry.</summary>
    public const int DefaultAttachmentsPerMessage = 10;

    /// <summary>Discord's limit on a whole request (all attachments of one message): 25 MB.</summary>
    public const long DefaultMessageLimit = 25_000_000;

    /// <summary>
    /// The webhook URL (<c>https://discord.com/api/webhooks/ID/TOKEN</c>), from the record's secrets; null when none is
    /// configured (every call then fails Unauthorized).
    /// </summary>
    public string? WebhookUrl { get; init; }

    /// <summary>The API root the webhook's id and token are appended to (a local fake in tests).</summary>
    public Uri ApiBase { get; init; } = DefaultApiBase;

    /// <summary>Largest attachment in bytes: objects are split into parts of at most this size.</summary>
    public long AttachmentLimit { get; init; } = DefaultAttachmentLimit;

    /// <summary>Most attachments per message.</summary>
    public int AttachmentsPerMessage { get; init; } = DefaultAttachmentsPerMessage;

    /// <summary>Most attachment bytes per message (the request limit, less room for the form around them).</summary>
    public long MessageLimit { get; init; } = DefaultMessageLimit;

    /// <summary>Longest one HTTP request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest a call waits for a rate-limited bucket before failing Transient with RetryAfter.</summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for rate-limit waits and attachment URL expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Name);
        ArgumentException.ThrowIfNullOrEmpty(StateDirectory);
        ArgumentNullException.ThrowIfNull(ApiBase);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (!ApiBase.IsAbsoluteUri || ApiBase.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"discord backend '{Name}': apiBase must be an absolute http(s) URL", nameof(ApiBase));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AttachmentLimit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AttachmentLimit, Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AttachmentsPerMessage);
        ArgumentOutOfRangeException.ThrowIfLessThan(MessageLimit, AttachmentLimit);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRateLimitWait, TimeSpan.Zero);
        if (WebhookUrl is not null && !DiscordClient.TryParseWebhook(WebhookUrl, out _, out _))
        {
            // The URL itself is secret: name the option, never echo it.
            throw new ArgumentException($"discord backend '{Name}': the webhook secret is not a Discord webhook URL (…/webhooks/ID/TOKEN)", nameof(WebhookUrl));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"DiscordBackendOptions {{ Name = {Name}, ApiBase = {ApiBase}, Webhook = {(WebhookUrl is null ? "none" : "set")} }}";
}

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// The decorators <see cref="BackendStack.Wrap"/> puts around a backend: <see cref="Retry"/>, <see cref="RateLimit"/>
/// and <see cref="CircuitBreaker"/>. <see cref="ForType"/> gives each platform's defaults.
/// </summary>
public sealed record BackendStackOptions
{
    /// <summary>Defaults for a backend with no known platform limits.</summary>
    public static BackendStackOptions Default { get; } = new();

    /// <summary>Retries, backoff and attempt timeouts.</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>The platform's rate limit (none by default).</summary>
    public RateLimitOptions RateLimit { get; init; } = RateLimitOptions.Unlimited;

    /// <summary>When to stop calling a failing backend for a while.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    /// <summary>
    /// The defaults for backend type <paramref name="type"/> (a <see cref="BackendFactory.Types"/> name), from the
    /// platforms' documented limits: discord webhooks allow about 30 requests a minute, a telegram bot 20 messages a
    /// minute to one channel, youtube uploads are large and slow (long attempts, few calls); s3 and ipfs servers have
    /// no fixed rate. Unknown types get <see cref="Default"/>.
    /// </summary>
    public static BackendStackOptions ForType(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type switch
        {
            "discord" => new BackendStackOptions
            {
                RateLimit = new RateLimitOptions { CallsPerSecond = 0.5 },
                Retry = new RetryOptions { MaxAttempts = 6, MaxRetryAfter = TimeSpan.FromMinutes(2) },
            },
            "telegram" => new BackendStackOptions
            {
                RateLimit = new RateLimitOptions { CallsPerSecond = 1.0 / 3 },
                Retry = new RetryOptions { MaxAttempts = 6, MaxRetryAfter = TimeSpan.FromMinutes(2) },
            },
            "youtube" => new BackendStackOptions
            {
                RateLimit = new RateLimitOptions { CallsPerSecond = 1 },
                Retry = new RetryOptions
                {
                    MaxAttempts = 4,
                    BaseDelay = TimeSpan.FromSeconds(5),
                    MaxDelay = TimeSpan.FromMinutes(2),
                    AttemptTimeout = TimeSpan.FromMinutes(5),
                    MinimumBytesPerSecond = 128 * 1024,
                    GetSizeAllowance = 1L << 30,
                },
                CircuitBreaker = new CircuitBreakerOptions { BreakDuration = TimeSpan.FromMinutes(2) },
            },
            "s3" or "ipfs" => new BackendStackOptions
            {
                Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(10) },
            },
            _ => Default,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> (naming the option) when any part is invalid.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Retry, nameof(Retry));
        ArgumentNullException.ThrowIfNull(RateLimit, nameof(RateLimit));
        ArgumentNullException.ThrowIfNull(CircuitBreaker, nameof(CircuitBreaker));
        Retry.Validate();
        RateLimit.Validate();
        CircuitBreaker.Validate();
    }
}

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// How <see cref="RetryingBackend"/> retries: at most <see cref="MaxAttempts"/> attempts (the first included), waiting
/// <see cref="BaseDelay"/> × 2^n (with jitter when <see cref="UseJitter"/>) up to <see cref="MaxDelay"/> between them,
/// or the platform's Retry-After up to <see cref="MaxRetryAfter"/>. Each attempt may take
/// <see cref="AttemptTimeout"/> plus its bytes at <see cref="MinimumBytesPerSecond"/>.
/// </summary>
public sealed record RetryOptions
{
    /// <summary>Attempts per call, the first included (1: no retries).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first backoff delay; later ones double.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest computed backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait a platform's Retry-After can impose (longer requests wait this long, then try).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Randomises backoff delays (decorrelated jitter) so that many callers do not retry in step.</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>How long one attempt may take before it is abandoned as a transient failure (plus the byte allowance); infinite disables.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The slowest transfer rate an attempt is allowed, bytes per second: a put of B bytes gets
    /// <see cref="AttemptTimeout"/> + B / rate, a get the same for up to <see cref="GetSizeAllowance"/> bytes. 0: no allowance.
    /// </summary>
    public long MinimumBytesPerSecond { get; init; } = 256 * 1024;

    /// <summary>The object size a get's timeout allows for (the backend's MaxObjectSize when smaller).</summary>
    public long GetSizeAllowance { get; init; } = 16L << 20;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxAttempts, 100, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero, nameof(BaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryAfter, TimeSpan.Zero, nameof(MaxRetryAfter));
        if (AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MinimumBytesPerSecond, nameof(MinimumBytesPerSecond));
        ArgumentOutOfRangeException.ThrowIfNegative(GetSizeAllowance, nameof(GetSizeAllowance));
    }
}

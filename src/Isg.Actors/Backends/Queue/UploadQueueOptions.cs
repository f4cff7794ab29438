namespace Isg.Actors.Backends.Queue;

/// <summary>
/// How a <see cref="QueuedBackend"/> retries: the n-th failed upload of an object waits
/// min(<see cref="MinBackoff"/> * 2^(n-1), <see cref="MaxBackoff"/>) plus up to 25% jitter (longer when the platform
/// said Retry-After); a pass uploads at most <see cref="BatchSize"/> objects before one flush of the platform.
/// </summary>
public sealed record UploadQueueOptions
{
    /// <summary>The wait after the first failure.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Objects uploaded per pass.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Spool files with no queue row older than this are leftovers of Puts never flushed (a crash) and are removed.</summary>
    public TimeSpan OrphanAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The wait before the n-th retry (n = <paramref name="attempts"/> &gt;= 1), honouring <paramref name="retryAfter"/>.</summary>
    public TimeSpan Backoff(int attempts, TimeSpan? retryAfter, double jitter)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ticks = Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * (1L << Math.Min(exponent, 20)));
        var wait = TimeSpan.FromTicks(ticks + (long)(ticks * 0.25 * Math.Clamp(jitter, 0, 1)));
        return retryAfter is { } after && after > wait ? after : wait;
    }
}

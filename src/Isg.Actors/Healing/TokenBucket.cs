namespace Isg.Actors.Healing;

/// <summary>
/// Limits a byte rate on a <see cref="TimeProvider"/>: each <see cref="Reserve"/> takes bytes from a bucket that
/// refills at <see cref="BytesPerSecond"/> and holds at most one second's worth; when it runs dry the caller is
/// told how long to wait. It starts empty, so B bytes take B / rate seconds. A rate of 0 means unlimited.
/// Thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _lastTimestamp;
    private long _totalWaitTicks;

    /// <summary>A bucket for <paramref name="bytesPerSecond"/> (0: unlimited) on <paramref name="time"/>.</summary>
    public TokenBucket(long bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerSecond);
        ArgumentNullException.ThrowIfNull(time);
        BytesPerSecond = bytesPerSecond;
        _time = time;
        _lastTimestamp = time.GetTimestamp();
    }

    /// <summary>The rate, bytes per second; 0 is unlimited.</summary>
    public long BytesPerSecond { get; }

    /// <summary>The sum of every wait <see cref="Reserve"/> has asked for.</summary>
    public TimeSpan TotalWait => TimeSpan.FromTicks(Interlocked.Read(ref _totalWaitTicks));

    /// <summary>
    /// Takes <paramref name="bytes"/> and returns how long the caller must wait before using them (zero when the
    /// bucket had them). Reservations queue: a second caller waits behind the first.
    /// </summary>
    public TimeSpan Reserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (BytesPerSecond == 0 || bytes == 0)
        {
            return TimeSpan.Zero;
        }

        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_lastTimestamp, now);
            _lastTimestamp = now;
            _tokens = Math.Min(BytesPerSecond, _tokens + (elapsed.TotalSeconds * BytesPerSecond));
            _tokens -= bytes;
            if (_tokens >= 0)
            {
                return TimeSpan.Zero;
            }

            var wait = TimeSpan.FromSeconds(-_tokens / BytesPerSecond);
            Interlocked.Add(ref _totalWaitTicks, wait.Ticks);
            return wait;
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> and waits (on the bucket's clock) until they may be used.</summary>
    public Task WaitAsync(long bytes, CancellationToken cancellationToken)
    {
        var wait = Reserve(bytes);
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _time, cancellationToken);
    }
}

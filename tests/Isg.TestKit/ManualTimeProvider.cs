using Xunit.Sdk;

namespace Isg.TestKit;

/// <summary>
/// A clock that moves only when told: <see cref="Advance"/> fires due timers in due-time order (creation order on
/// ties) on the calling thread, setting the clock to each timer's due time as it fires it. A timer due at zero fires
/// inside <c>CreateTimer</c>/<c>Change</c>. Thread-safe; advance from one thread at a time.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _active = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>Starts at 2000-01-01T00:00:00Z.</summary>
    public ManualTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Starts at <paramref name="start"/>.</summary>
    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    /// <summary>Timers waiting to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>Time until the earliest pending timer fires, or null when none is pending.</summary>
    public TimeSpan? NextDue
    {
        get
        {
            lock (_lock)
            {
                return _active.Count == 0 ? null : _active.Min(t => t.DueAt) - _now;
            }
        }
    }

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _active)
                {
                    if (timer.DueAt <= target && (due is null || timer.DueAt < due.DueAt || (timer.DueAt == due.DueAt && timer.Sequence < due.Sequence)))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.DueAt > _now)
                {
                    _now = due.DueAt;
                }

                if (due.Period > TimeSpan.Zero && due.Period != Timeout.InfiniteTimeSpan)
                {
                    due.DueAt += due.Period;
                    due.Sequence = ++_sequence;
                }
                else
                {
                    _active.Remove(due);
                }
            }

            due.Fire();
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> timers are pending; fails the test after <paramref name="within"/> of real time.</summary>
    public async Task WaitForPendingTimersAsync(int count, TimeSpan within)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            if (_active.Count >= count)
            {
                return;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
        }

        try
        {
            await signal.Task.WaitAsync(within).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new XunitException($"Expected {count} pending timers within {within}; {PendingTimers} pending.");
        }
    }

    private bool Change(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
        var fireNow = false;
        lock (_lock)
        {
            if (timer.Disposed)
            {
                return false;
            }

            _active.Remove(timer);
            timer.Period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            if (dueTime == TimeSpan.Zero)
            {
                fireNow = true;
                if (period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
                {
                    Schedule(timer, _now + period);
                }
            }
            else
            {
                Schedule(timer, _now + dueTime);
            }
        }

        if (fireNow)
        {
            timer.Fire();
        }

        return true;
    }

    private void Schedule(ManualTimer timer, DateTimeOffset dueAt)
    {
        timer.DueAt = dueAt;
        timer.Sequence = ++_sequence;
        _active.Add(timer);
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_active.Count >= _waiters[i].Count)
            {
                _waiters[i].Signal.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            timer.Disposed = true;
            _active.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Change(this, dueTime, period);

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            owner.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}

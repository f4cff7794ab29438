using Isg.TestKit;

namespace Isg.Actors.Tests.Hosting;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also lets a test await the creation of a timer with a given due time (the
/// restart timer of a supervised actor, whose delay the runtime logs), so that it advances the clock only once the
/// timer exists. Thread-safe.
/// </summary>
internal sealed class WatchedTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _created = [];
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource<TimeSpan> Signal)> _waiters = [];

    public ManualTimeProvider Clock { get; } = new();

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _created.Add(dueTime);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(dueTime))
                {
                    _waiters[i].Signal.TrySetResult(dueTime);
                    _waiters.RemoveAt(i);
                }
            }
        }

        return timer;
    }

    /// <summary>Completes once a timer due after <paramref name="dueTime"/> has been created (at once if one was).</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, TimeSpan within) => WaitForTimerAsync(d => d == dueTime, 0, within);

    /// <summary>
    /// Completes with the due time of the first timer created after the first <paramref name="skip"/> timers that
    /// matches <paramref name="match"/> (at once if one was).
    /// </summary>
    public Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> match, int skip, TimeSpan within)
    {
        lock (_lock)
        {
            foreach (var created in _created.Skip(skip))
            {
                if (match(created))
                {
                    return Task.FromResult(created);
                }
            }

            var signal = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, signal));
            return signal.Task.WaitAsync(within);
        }
    }

    /// <summary>How many timers have been created so far.</summary>
    public int Created
    {
        get
        {
            lock (_lock)
            {
                return _created.Count;
            }
        }
    }
}

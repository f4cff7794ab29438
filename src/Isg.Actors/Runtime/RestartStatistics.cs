namespace Isg.Actors.Runtime;

/// <summary>Restarts of one child (or one all-for-one group) in the current window. Touched only by the supervisor's loop.</summary>
internal sealed class RestartStatistics
{
    private int _count;
    private long _windowStart;

    /// <summary>Counts a failure at timestamp <paramref name="now"/>; returns its 1-based number within the window.</summary>
    public int RecordFailure(TimeProvider timeProvider, long now, TimeSpan window)
    {
        if (_count == 0 || timeProvider.GetElapsedTime(_windowStart, now) > window)
        {
            _count = 0;
            _windowStart = now;
        }

        return ++_count;
    }
}

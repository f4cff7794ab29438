using Isg.TestKit;
using Xunit.Sdk;

namespace Isg.Actors.Tests.TestKit;

public sealed class ManualTimeProviderTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public void Advance_SeveralTimers_FireInDueOrderWithClockAtDueTime()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        var fired = new List<(string Name, TimeSpan At)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var tie = time.CreateTimer(_ => fired.Add(("tie", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([("early", TimeSpan.FromSeconds(1)), ("tie", TimeSpan.FromSeconds(1)), ("late", TimeSpan.FromSeconds(3))], fired);
        Assert.Equal(TimeSpan.FromSeconds(5), time.GetUtcNow() - start);
        Assert.Equal(0, time.PendingTimers);
    }

    [Fact]
    public void Advance_PeriodicTimer_FiresEachPeriod()
    {
        var time = new ManualTimeProvider();
        var count = 0;
        using var timer = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(3, count);
        Assert.Equal(TimeSpan.FromSeconds(1), time.NextDue);
    }

    [Fact]
    public void Dispose_PendingTimer_NeverFires()
    {
        var time = new ManualTimeProvider();
        var fired = false;
        var timer = time.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(fired);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void CreateTimer_ZeroDue_FiresAtOnce()
    {
        var time = new ManualTimeProvider();
        var fired = 0;

        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        Assert.Equal(1, fired);
        Assert.Equal(0, time.PendingTimers);
    }

    [Fact]
    public void Change_Infinite_Unschedules()
    {
        var time = new ManualTimeProvider();
        var fired = false;
        using var timer = time.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(fired);
    }

    [Fact]
    public async Task TaskDelayAndCancellationSource_OnManualClock_CompleteOnlyAfterAdvance()
    {
        var time = new ManualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromSeconds(1), time);
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await delay.WaitAsync(Within);
        Assert.False(source.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(source.IsCancellationRequested);
    }

    [Fact]
    public async Task WaitForPendingTimersAsync_TimerCreatedLater_Completes()
    {
        var time = new ManualTimeProvider();

        var waiting = time.WaitForPendingTimersAsync(1, Within);
        Assert.False(waiting.IsCompleted);
        using var timer = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        await waiting;
        await Assert.ThrowsAsync<XunitException>(() => time.WaitForPendingTimersAsync(2, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void Timestamps_FollowTheClock()
    {
        var time = new ManualTimeProvider();
        var before = time.GetTimestamp();

        time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(TimeSpan.FromMinutes(3), time.GetElapsedTime(before));
    }
}

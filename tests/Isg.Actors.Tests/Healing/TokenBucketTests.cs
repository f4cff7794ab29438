using Isg.Actors.Healing;
using Isg.TestKit;

namespace Isg.Actors.Tests.Healing;

public sealed class TokenBucketTests
{
    [Theory]
    [InlineData(1_000_000, 50_000_000, 65_536)]
    [InlineData(50L << 20, 1L << 30, 1 << 20)]
    [InlineData(1000, 7_777, 100)]
    public void Reserve_WaitingAsAsked_TakesBytesOverRateSeconds(long rate, long total, int step)
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(rate, time);
        var start = time.GetUtcNow();
        for (long done = 0; done < total; done += step)
        {
            var wait = bucket.Reserve(Math.Min(step, total - done));
            Assert.True(wait >= TimeSpan.Zero);
            time.Advance(wait);
        }

        var expected = (double)total / rate;
        var elapsed = (time.GetUtcNow() - start).TotalSeconds;
        Assert.InRange(elapsed, expected * 0.99, expected * 1.01);
        Assert.InRange(bucket.TotalWait.TotalSeconds, expected * 0.99, expected * 1.01);
    }

    [Fact]
    public void Reserve_Unlimited_NeverWaits()
    {
        var bucket = new TokenBucket(0, new ManualTimeProvider());
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(TimeSpan.Zero, bucket.Reserve(1 << 30));
        }
    }

    [Fact]
    public void Reserve_AfterIdle_BurstIsAtMostOneSecondOfRate()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(1000, time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(1000));
        Assert.Equal(TimeSpan.FromSeconds(1), bucket.Reserve(1000));
    }

    [Fact]
    public async Task WaitAsync_RateExceeded_CompletesOnlyWhenTheClockHasMoved()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(100, time);
        var wait = bucket.WaitAsync(250, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.5));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

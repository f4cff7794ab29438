using Isg.Actors.Healing;
using Isg.TestKit;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Tests.Healing;

public sealed class HealthEventLogTests
{
    [Fact]
    public void Add_MoreThanCapacity_KeepsTheNewestNumberedFromOne()
    {
        var time = new ManualTimeProvider();
        using var logs = new RecordingLoggerFactory();
        var log = new HealthEventLog(logs.CreateLogger("health"), time, capacity: 3);
        for (var i = 1; i <= 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var added = log.Add(HealthEventKind.ShardMissing, $"shard {i}", "local", "objectname0000000", files: ["a"]);
            Assert.Equal(i, added.Sequence);
            Assert.Equal(time.GetUtcNow(), added.Time);
        }

        Assert.Equal(5, log.LastSequence);
        Assert.Equal([3L, 4L, 5L], log.Since(0).Select(e => e.Sequence));
        Assert.Equal([5L], log.Since(4).Select(e => e.Sequence));
        Assert.Empty(log.Since(5));
    }

    [Fact]
    public void Add_LogsEachEventOnceAtItsLevel()
    {
        using var logs = new RecordingLoggerFactory();
        var log = new HealthEventLog(logs.CreateLogger("health"), new ManualTimeProvider());
        var seen = new List<HealthEvent>();
        log.Added += seen.Add;

        log.Add(HealthEventKind.PassStarted, "pass");
        log.Add(HealthEventKind.ShardCorrupt, "bad shard");
        log.Add(HealthEventKind.StripeLost, "lost stripe", stripe: 7, files: ["x/y"]);

        Assert.Equal(3, seen.Count);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("pass", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("bad shard", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("lost stripe", StringComparison.Ordinal));
    }
}

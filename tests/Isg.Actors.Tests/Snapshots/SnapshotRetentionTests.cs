using FsCheck;
using FsCheck.Fluent;
using Isg.Actors.Catalog;
using Isg.Actors.Snapshots;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Tests.Snapshots;

public sealed class SnapshotRetentionTests
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static SnapshotInfo At(long id, double hours) =>
        new(id, "s" + id, Hash256.Empty, id > 1 ? id - 1 : null, s_start.AddHours(hours), 0, 0, 0);

    [Fact]
    public void Plan_KeepLast_KeepsTheNewest()
    {
        var snapshots = new[] { At(1, 0), At(2, 1), At(3, 2), At(4, 3) };

        var plan = SnapshotRetention.Plan(snapshots, new RetentionPolicy(2, 0), TimeZoneInfo.Utc);

        Assert.Equal([4L, 3L], plan.Keep.Select(s => s.Id));
        Assert.Equal([2L, 1L], plan.Remove.Select(s => s.Id));
    }

    [Fact]
    public void Plan_KeepDaily_KeepsTheNewestOfEachOfTheLastDaysWithSnapshots()
    {
        // Day 0: 1, 2; day 1: none; day 2: 3, 4; day 5: 5.
        var snapshots = new[] { At(1, 1), At(2, 5), At(3, 49), At(4, 50), At(5, 121) };

        var plan = SnapshotRetention.Plan(snapshots, new RetentionPolicy(0, 3), TimeZoneInfo.Utc);

        Assert.Equal([5L, 4L, 2L], plan.Keep.Select(s => s.Id));
        Assert.Equal([3L, 1L], plan.Remove.Select(s => s.Id));
    }

    [Fact]
    public void Plan_BothRules_KeepTheUnion()
    {
        var snapshots = new[] { At(1, 1), At(2, 5), At(3, 49), At(4, 50) };

        var plan = SnapshotRetention.Plan(snapshots, new RetentionPolicy(1, 2), TimeZoneInfo.Utc);

        Assert.Equal([4L, 2L], plan.Keep.Select(s => s.Id));
    }

    [Fact]
    public void Plan_KeepsNothing_Throws()
    {
        Assert.Throws<ArgumentException>(() => SnapshotRetention.Plan([At(1, 0)], new RetentionPolicy(0, 0), TimeZoneInfo.Utc));
        Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotRetention.Plan([At(1, 0)], new RetentionPolicy(-1, 2), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Plan_AnySnapshotsAndPolicy_PartitionsAndNeverRemovesTheNewest()
    {
        var gen =
            from hours in Gen.ListOf(Gen.Choose(0, 24 * 30))
            from keepLast in Gen.Choose(0, 5)
            from keepDaily in Gen.Choose(0, 5)
            select (hours, keepLast, keepDaily);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (hours, keepLast, keepDaily) = t;
            if (keepLast == 0 && keepDaily == 0)
            {
                keepLast = 1;
            }

            var snapshots = hours.Select((h, i) => At(i + 1, h)).ToList();
            var plan = SnapshotRetention.Plan(snapshots, new RetentionPolicy(keepLast, keepDaily), TimeZoneInfo.Utc);

            Assert.Equal(snapshots.Select(s => s.Id).Order(), plan.Keep.Concat(plan.Remove).Select(s => s.Id).Order());
            if (snapshots.Count > 0)
            {
                var newest = snapshots.MaxBy(s => (s.CreatedAt, s.Id))!;
                Assert.Contains(newest, plan.Keep);
            }

            var days = snapshots.Select(s => DateOnly.FromDateTime(s.CreatedAt.UtcDateTime)).Distinct().Count();
            Assert.True(plan.Keep.Count <= keepLast + keepDaily);
            Assert.True(plan.Keep.Count >= Math.Min(snapshots.Count, Math.Max(keepLast, Math.Min(keepDaily, days))));
        }).QuickCheckThrowOnFailure();
    }
}

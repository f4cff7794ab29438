using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Crdt;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers;

namespace Isg.Protocol.Tests.Crdt;

public sealed class HybridLogicalClockTests
{
    private const long MaxDrift = 60_000;
    private const long Base = 1_700_000_000_000;

    // Physical times that jump back and forth, repeat, and stand still, around a realistic epoch value.
    private static Gen<long> PhysicalTimes =>
        Gen.Choose(-5, 5).Select(d => Base + d)
            .Or(Gen.Choose(-200_000, 200_000).Select(d => Base + d))
            .Or(Gen.Elements(long.MinValue, -1L, 0L, long.MaxValue));

    private static Gen<HlcTimestamp> Remotes =>
        from wall in Gen.Choose(-100_000, 100_000).Select(d => Base + d)
        from logical in Gen.Elements(0, 1, ushort.MaxValue - 1, ushort.MaxValue).Or(Gen.Choose(0, ushort.MaxValue))
        from device in Gen.Elements(0UL, 7UL, ulong.MaxValue)
        select new HlcTimestamp(wall, (ushort)logical, device);

    // An event is either a local tick or the receipt of a remote reading.
    private static Gen<(bool Observe, HlcTimestamp Remote, long Physical)> Events =>
        from observe in ArbMap.Default.GeneratorFor<bool>()
        from remote in Remotes
        from physical in PhysicalTimes
        select (observe, remote, physical);

    [Fact]
    public void NowAndObserve_AnySequence_StrictlyMonotonic()
    {
        Prop.ForAll(Events.ListOf().ToArbitrary(), events =>
        {
            var clock = new HybridLogicalClock(3UL, MaxDrift);
            var previous = clock.Last;
            foreach (var (observe, remote, physical) in events)
            {
                HlcTimestamp next;
                if (observe)
                {
                    if (!clock.TryObserve(remote, physical, out next, out _))
                    {
                        if (clock.Last != previous)
                        {
                            return false;
                        }

                        continue;
                    }

                    if (next <= remote)
                    {
                        return false;
                    }
                }
                else
                {
                    next = clock.Now(physical);
                }

                if (next <= previous || next != clock.Last)
                {
                    return false;
                }

                previous = next;
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryObserve_WithinDrift_GreaterThanRemoteAndPreviousLocal()
    {
        Prop.ForAll(Remotes.ToArbitrary(), PhysicalTimes.ToArbitrary(), PhysicalTimes.ToArbitrary(), (remote, before, at) =>
        {
            var clock = new HybridLogicalClock(3UL, long.MaxValue / 2);
            var local = clock.Now(before);
            return clock.TryObserve(remote, at, out var merged, out _) && merged > remote && merged > local;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryObserve_RemoteBeyondMaxDrift_RejectedAndClockUnchanged()
    {
        Prop.ForAll(Gen.Choose(1, 1_000_000).ToArbitrary(), Gen.Choose(0, 1_000).ToArbitrary(), (excess, ticks) =>
        {
            var clock = new HybridLogicalClock(3UL, MaxDrift);
            for (var i = 0; i < ticks; i++)
            {
                clock.Now(Base);
            }

            var before = clock.Last;
            var remote = new HlcTimestamp(Base + MaxDrift + excess, 0, 9);
            var accepted = clock.TryObserve(remote, Base, out var merged, out var error);
            return !accepted && error.Kind == ProtocolErrorKind.ClockDrift && merged == default && clock.Last == before;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryObserve_RemoteExactlyAtMaxDrift_Adopted()
    {
        var clock = new HybridLogicalClock(3UL, MaxDrift);

        Assert.True(clock.TryObserve(new HlcTimestamp(Base + MaxDrift, 4, 9), Base, out var merged, out _));
        Assert.Equal(new HlcTimestamp(Base + MaxDrift, 5, 3), merged);
    }

    [Fact]
    public void Now_PhysicalTimeAdvances_LogicalResets()
    {
        var clock = new HybridLogicalClock(3UL, MaxDrift);

        Assert.Equal(new HlcTimestamp(Base, 0, 3), clock.Now(Base));
        Assert.Equal(new HlcTimestamp(Base, 1, 3), clock.Now(Base));
        Assert.Equal(new HlcTimestamp(Base, 2, 3), clock.Now(Base - 10));
        Assert.Equal(new HlcTimestamp(Base + 1, 0, 3), clock.Now(Base + 1));
    }

    [Fact]
    public void Now_LogicalCounterOverflows_BorrowsNextMillisecond()
    {
        var clock = new HybridLogicalClock(3UL, MaxDrift);
        for (var i = 0; i <= ushort.MaxValue; i++)
        {
            Assert.Equal(new HlcTimestamp(Base, (ushort)i, 3), clock.Now(Base));
        }

        Assert.Equal(new HlcTimestamp(Base + 1, 0, 3), clock.Now(Base));
        Assert.Equal(new HlcTimestamp(Base + 1, 1, 3), clock.Now(Base + 1));
    }

    [Fact]
    public void TryObserve_RemoteAtCounterLimit_BorrowsNextMillisecond()
    {
        var clock = new HybridLogicalClock(3UL, MaxDrift);
        var remote = new HlcTimestamp(Base, ushort.MaxValue, 9);

        Assert.True(clock.TryObserve(remote, Base, out var merged, out _));
        Assert.Equal(new HlcTimestamp(Base + 1, 0, 3), merged);
        Assert.True(merged > remote);
    }

    [Fact]
    public void TryObserve_SameWallOnBothSides_TakesLargerCounterPlusOne()
    {
        var clock = new HybridLogicalClock(3UL, MaxDrift);
        clock.Now(Base);
        clock.Now(Base);

        Assert.True(clock.TryObserve(new HlcTimestamp(Base, 7, 9), Base - 5, out var merged, out _));
        Assert.Equal(new HlcTimestamp(Base, 8, 3), merged);
        Assert.True(clock.TryObserve(new HlcTimestamp(Base - 3, 100, 9), Base - 5, out merged, out _));
        Assert.Equal(new HlcTimestamp(Base, 9, 3), merged);
    }

    [Fact]
    public void Constructor_DeviceId_UsesTieBreak()
    {
        var device = DeviceId.FromCertificateDer([1, 2, 3]);
        var clock = new HybridLogicalClock(device, MaxDrift);

        Assert.Equal(device.TieBreak, clock.Now(Base).Device);
    }

    [Fact]
    public void Restore_PersistedReading_NeverMovesBack()
    {
        var clock = new HybridLogicalClock(3UL, MaxDrift);
        clock.Restore(new HlcTimestamp(Base + 500, 4, 9));
        Assert.Equal(new HlcTimestamp(Base + 500, 5, 3), clock.Now(Base));

        clock.Restore(new HlcTimestamp(Base, 0, 9));
        Assert.Equal(new HlcTimestamp(Base + 500, 6, 3), clock.Now(Base));
    }
}

using System.Buffers;
using Isg.Actors.Swarm;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Tests.Swarm;

/// <summary><see cref="RecentBlocks"/>: the last sealed blocks stored, within a byte budget, freed exactly once.</summary>
public sealed class RecentBlocksTests
{
    [Fact]
    public void TryTake_KeptBlock_ItsFirstLengthBytesAndStillKeptAfterRelease()
    {
        using var recent = new RecentBlocks(1 << 20);
        var owner = new TrackedOwner([1, 2, 3, 4, 5, 6]);
        var id = Id(1);

        recent.Keep(id, owner, 4);
        var taken = recent.TryTake(id);

        Assert.NotNull(taken);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, taken.Memory.ToArray());
        taken.Release();
        Assert.False(owner.Disposed);
        Assert.NotNull(recent.TryTake(id));
        Assert.Null(recent.TryTake(Id(2)));
    }

    [Fact]
    public void Keep_OverTheBudget_DropsOldestFirstAndFreesThem()
    {
        using var recent = new RecentBlocks(10);
        var owners = Enumerable.Range(0, 4).Select(_ => new TrackedOwner(new byte[4])).ToList();

        for (var i = 0; i < owners.Count; i++)
        {
            recent.Keep(Id(i), owners[i], 4);
        }

        // 4 + 4 fit in 10 bytes: the last two stay.
        Assert.Equal(new[] { true, true, false, false }, owners.Select(o => o.Disposed));
        Assert.Null(recent.TryTake(Id(0)));
        Assert.NotNull(recent.TryTake(Id(3)));
        Assert.Equal(2, recent.Count);
    }

    [Fact]
    public void Keep_BlockLargerThanTheBudget_KeptAloneUntilTheNext()
    {
        using var recent = new RecentBlocks(10);
        var large = new TrackedOwner(new byte[100]);
        var next = new TrackedOwner(new byte[4]);

        recent.Keep(Id(1), large, 100);
        Assert.Equal(1, recent.Count);
        recent.Keep(Id(2), next, 4);

        Assert.True(large.Disposed);
        Assert.False(next.Disposed);
    }

    [Fact]
    public void Keep_SameBlockTwice_SecondOwnerFreedAtOnce()
    {
        using var recent = new RecentBlocks(1 << 20);
        var first = new TrackedOwner([1]);
        var second = new TrackedOwner([2]);

        recent.Keep(Id(1), first, 1);
        recent.Keep(Id(1), second, 1);

        Assert.False(first.Disposed);
        Assert.True(second.Disposed);
        Assert.Equal(new byte[] { 1 }, recent.TryTake(Id(1))!.Memory.ToArray());
    }

    [Fact]
    public void Dispose_FreesKeptBlocks_ButATakenOneOnlyWhenItsTakerReleasesIt()
    {
        var recent = new RecentBlocks(1 << 20);
        var taken = new TrackedOwner([1]);
        var idle = new TrackedOwner([2]);
        recent.Keep(Id(1), taken, 1);
        recent.Keep(Id(2), idle, 1);
        var reference = recent.TryTake(Id(1))!;

        recent.Dispose();

        Assert.True(idle.Disposed);
        Assert.False(taken.Disposed);
        Assert.Equal(new byte[] { 1 }, reference.Memory.ToArray());
        reference.Release();
        Assert.True(taken.Disposed);
        Assert.Equal(1, taken.DisposeCount);
    }

    [Fact]
    public void Keep_AfterDispose_FreesTheOwnerAtOnce()
    {
        var recent = new RecentBlocks(1 << 20);
        recent.Dispose();
        var owner = new TrackedOwner([1]);

        recent.Keep(Id(1), owner, 1);

        Assert.True(owner.Disposed);
        Assert.Null(recent.TryTake(Id(1)));
    }

    [Fact]
    public void Keep_LengthBeyondTheOwner_Throws()
    {
        using var recent = new RecentBlocks(1 << 20);

        Assert.Throws<ArgumentOutOfRangeException>(() => recent.Keep(Id(1), new TrackedOwner([1]), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecentBlocks(0));
    }

    private static BlockId Id(int n) => BlockId.Compute(BitConverter.GetBytes(n));

    private sealed class TrackedOwner(byte[] bytes) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => bytes;

        public int DisposeCount { get; private set; }

        public bool Disposed => DisposeCount > 0;

        public void Dispose() => DisposeCount++;
    }
}

using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Tests.Encoders;

public sealed class DedupIndexTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly BlockId Id = BlockId.Compute("block"u8);

    [Fact]
    public async Task TryClaim_FirstCaller_WinsAndLaterCallersShareItsOutcome()
    {
        var index = new DedupIndex();

        Assert.True(index.TryClaim(Id, out var mine));
        Assert.False(index.TryClaim(Id, out var theirs));

        Assert.Same(mine, theirs);
        Assert.False(theirs.IsCompleted);
        index.Complete(Id, succeeded: true);
        Assert.True(theirs.IsCompletedSuccessfully);
        Assert.True(await theirs);
        Assert.False(index.TryClaim(Id, out var later));
        Assert.True(await later);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void TryClaim_DifferentIds_AreIndependent()
    {
        var index = new DedupIndex();

        Assert.True(index.TryClaim(BlockId.Compute("a"u8), out _));
        Assert.True(index.TryClaim(BlockId.Compute("b"u8), out _));

        Assert.Equal(2, index.Count);
    }

    [Fact]
    public async Task TryClaim_ManyConcurrentTasks_ExactlyOneWinnerAndEveryoneSeesTheOutcome()
    {
        var index = new DedupIndex();
        const int Threads = 16;
        using var start = new Barrier(Threads);
        var claims = new (bool Won, Task<bool> Written)[Threads];

        // Dedicated threads released together by a barrier, so the claims really race.
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            var won = index.TryClaim(Id, out var written);
            if (won)
            {
                index.Complete(Id, succeeded: true);
            }

            claims[i] = (won, written);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(Within)));

        Assert.Single(claims, c => c.Won);
        var outcomes = await Task.WhenAll(claims.Select(c => c.Written)).WaitAsync(Within);
        Assert.All(outcomes, Assert.True);
    }

    [Fact]
    public async Task Complete_Failed_WaitersSeeFalseAndTheClaimIsReleased()
    {
        var index = new DedupIndex();
        Assert.True(index.TryClaim(Id, out _));
        Assert.False(index.TryClaim(Id, out var waiting));

        index.Complete(Id, succeeded: false);

        Assert.True(waiting.IsCompleted);
        Assert.False(await waiting);
        Assert.Equal(0, index.Count);
        Assert.True(index.TryClaim(Id, out var retry));
        Assert.NotSame(waiting, retry);
        index.Complete(Id, succeeded: true);
        Assert.True(await retry);
    }

    [Fact]
    public async Task TryClaim_ConcurrentRetriesAfterAFailedWrite_ExactlyOneNewWinner()
    {
        var index = new DedupIndex();
        Assert.True(index.TryClaim(Id, out _));
        const int Tasks = 32;
        var waiters = Enumerable.Range(0, Tasks).Select(_ =>
        {
            Assert.False(index.TryClaim(Id, out var written));
            return written;
        }).ToArray();

        index.Complete(Id, succeeded: false);
        var retries = await Task.WhenAll(waiters.Select(w => Task.Run(async () =>
        {
            Assert.False(await w);
            return index.TryClaim(Id, out _);
        }))).WaitAsync(Within);

        Assert.Single(retries, won => won);
    }

    [Fact]
    public async Task Complete_WithLocation_WaitersSeeSuccessAndTheLocationIsTakenOnce()
    {
        var index = new DedupIndex();
        var stored = new StoredBlock(Id, 100, 80, 1, "local", "0123456789abcdef0123");
        Assert.True(index.TryClaim(Id, out _));
        Assert.False(index.TryClaim(Id, out var waiting));
        Assert.False(index.TryTakeWritten(Id, out _));

        index.Complete(Id, stored);

        Assert.True(await waiting);
        Assert.True(index.TryTakeWritten(Id, out var taken));
        Assert.Same(stored, taken);
        Assert.False(index.TryTakeWritten(Id, out _));
        Assert.False(index.TryClaim(Id, out _));
    }

    [Fact]
    public void TryTakeWritten_SucceededWithoutLocation_HasNothingToTake()
    {
        var index = new DedupIndex();
        Assert.True(index.TryClaim(Id, out _));

        index.Complete(Id, succeeded: true);

        Assert.False(index.TryTakeWritten(Id, out _));
    }

    [Fact]
    public void Complete_NeverClaimed_Throws()
    {
        var index = new DedupIndex();

        Assert.Throws<InvalidOperationException>(() => index.Complete(Id, succeeded: true));
    }
}

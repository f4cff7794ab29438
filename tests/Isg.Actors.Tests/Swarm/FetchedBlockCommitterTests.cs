using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Protocol.Hashing;
using Isg.TestKit;

namespace Isg.Actors.Tests.Swarm;

/// <summary>Group commit of fetched blocks: blocks that arrive during a commit, or just after it, share the next one.</summary>
public sealed class FetchedBlockCommitterTests : IAsyncLifetime
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly ActorSystem _system = new("committer-test");
    private Repository? _repository;

    public Task InitializeAsync()
    {
        _repository = TestRepository.Create(_dir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        _repository?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task CommitAsync_BlocksArriveDuringACommit_ShareTheNextTransaction()
    {
        var catalog = new RecordingCatalog();
        var committer = new FetchedBlockCommitter(_repository!.Backends.Primary, _system.Spawn("catalog", () => catalog), s_within);

        var first = committer.CommitAsync(Block(0));
        await catalog.FirstBatchArrived.Task.WaitAsync(s_within);
        var rest = Enumerable.Range(1, 9).Select(i => committer.CommitAsync(Block(i))).ToList();
        catalog.Release.SetResult();
        await Task.WhenAll([first, .. rest]).WaitAsync(s_within);

        Assert.Equal([1, 9], catalog.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 10).Select(Id), catalog.Recorded);
    }

    [Fact]
    public async Task CommitAsync_FewBlocksAfterACommit_WaitTheLingerForMoreAndShareOneTransaction()
    {
        var time = new ManualTimeProvider();
        var catalog = new RecordingCatalog();
        var committer = new FetchedBlockCommitter(_repository!.Backends.Primary, _system.Spawn("catalog", () => catalog), s_within, time);

        var first = committer.CommitAsync(Block(0));
        await catalog.FirstBatchArrived.Task.WaitAsync(s_within);
        var during = Enumerable.Range(1, 2).Select(i => committer.CommitAsync(Block(i))).ToList();
        catalog.Release.SetResult();
        await first.WaitAsync(s_within);
        await time.WaitForPendingTimersAsync(1, s_within); // two blocks, fewer than LingerBelow: the batch lingers
        var late = committer.CommitAsync(Block(3));
        Assert.False(late.IsCompleted);
        time.Advance(FetchedBlockCommitter.Linger);
        await Task.WhenAll([.. during, late]).WaitAsync(s_within);

        Assert.Equal([1, 3], catalog.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 4).Select(Id), catalog.Recorded);
    }

    [Fact]
    public async Task CommitAsync_CatalogueFails_EveryBlockOfTheBatchSeesTheFailure()
    {
        var failure = new CatalogException(CatalogErrorKind.Busy, "catalog.db", "catalogue busy");
        var catalog = new RecordingCatalog { Failure = failure };
        catalog.Release.SetResult();
        var committer = new FetchedBlockCommitter(_repository!.Backends.Primary, _system.Spawn("catalog", () => catalog), s_within);

        var commits = Enumerable.Range(0, 4).Select(i => committer.CommitAsync(Block(i))).ToList();

        foreach (var commit in commits)
        {
            Assert.Same(failure, await Assert.ThrowsAsync<CatalogException>(() => commit.WaitAsync(s_within)));
        }
    }

    private static BlockId Id(int i) => BlockId.Compute(BitConverter.GetBytes(i));

    private static StoredBlock Block(int i) => new(Id(i), 4, 60, 0, "local", $"object-{i}");

    // Stands in for the catalogue actor: holds the first batch until released, then records and replies.
    private sealed class RecordingCatalog : Actor<ICatalogCommand>
    {
        public TaskCompletionSource FirstBatchArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; init; }

        public List<int> BatchSizes { get; } = [];

        public List<BlockId> Recorded { get; } = [];

        protected override async ValueTask HandleAsync(ICatalogCommand message, CancellationToken cancellationToken)
        {
            var record = Assert.IsType<RecordFetchedBlocks>(message);
            FirstBatchArrived.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            BatchSizes.Add(record.Blocks.Count);
            if (Failure is not null)
            {
                record.ReplyTo.Reply(new FetchedBlocksRecorded([], Failure));
                return;
            }

            Recorded.AddRange(record.Blocks.Select(b => b.Id));
            record.ReplyTo.Reply(new FetchedBlocksRecorded([.. record.Blocks.Select(_ => true)], null));
        }
    }
}

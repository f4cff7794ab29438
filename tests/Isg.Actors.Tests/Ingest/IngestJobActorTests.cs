using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Striping;
using Isg.Actors.Transfers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Ingest;

/// <summary>
/// The ingest job with a stand-in encoder pool (a probe: the test encodes with a real codec and answers in the order
/// it chooses), a real catalogue actor and a manual clock for the commit timer.
/// </summary>
public sealed class IngestJobActorTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();
    private readonly TestProbe<IEncoderCommand> _encoders = new("encoders");
    private readonly TestProbe<TransferProgress> _progress = new("progress");
    private readonly TestProbe<TransferOutcome<IngestReport>> _outcome = new("outcome");
    private readonly Repository _repository;
    private readonly ActorSystem _system;
    private readonly BlockCodec _codec;
    private readonly StripeAssembler _direct;
    private readonly CatalogReader _reader;
    private readonly IActorRef<ICatalogCommand> _catalog;

    public IngestJobActorTests()
    {
        _repository = TestRepository.Create(_dir);
        _system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = _time });
        var primary = new BackendSet([_repository.Backends.Primary]);
        _codec = new BlockCodec(_repository.Key, _repository.Settings.SealOptions, primary);

        // The stand-in encoder stores without redundancy, every new block on the primary backend.
        _direct = new StripeAssembler(RedundancyPolicy.None, primary, _repository.Key);
        _reader = _repository.Catalog.CreateReader();
        _catalog = _system.Spawn<ICatalogCommand>("catalog", () => new CatalogActor(_repository.Catalog));
    }

    private string Src => _dir.Combine("src");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _system.ShutdownAsync();
        _codec.Dispose();
        _direct.Dispose();
        _reader.Dispose();
        _repository.Dispose();
        _dir.Dispose();
    }

    private void Start(int maxChunksInFlight = 16, CancellationToken cancellationToken = default)
    {
        var job = new IngestJob(_repository, [new IngestSource(Src, "src")], new IngestOptions(), _catalog, _encoders,
            _repository.Backends, maxChunksInFlight, new SyncProgress<TransferProgress>(_progress.Tell), _outcome, cancellationToken);
        _system.Spawn<IIngestJobCommand>("ingest", () => new IngestJobActor(job), MailboxOptions.Unbounded, SupervisorStrategy.Stopping);
    }

    private async Task<ChunkEncoded> EncodeAsync(EncodeChunk chunk)
    {
        using (chunk.Chunk)
        {
            var block = await _codec.EncodeAsync(chunk.Chunk.Memory, chunk.Session, _direct, _reader, CancellationToken.None);
            return new ChunkEncoded(chunk.File, chunk.Seq, chunk.Chunk.Length, block, null);
        }
    }

    private Task<TransferProgress> ExpectAsync(TransferEvent kind, string path) =>
        _progress.FishForMessageAsync(p => p.Event == kind && p.Path == path, Within);

    private Task<TransferProgress> ExpectSettledAsync(string path) =>
        _progress.FishForMessageAsync(p => p.Path == path && p.Event is TransferEvent.FileDone or TransferEvent.FileFailed, Within);

    private List<string> Catalogue()
    {
        using var reader = _repository.Catalog.CreateReader();
        return reader.ListFiles(string.Empty).Select(e => e.Path).ToList();
    }

    [Fact]
    public async Task CommitTick_DuplicateAnsweredBeforeTheWorkerThatStoredIt_CommitsTheBlockWithTheFile()
    {
        // Below the minimum chunk size: one chunk per file. a and b are identical; c is not.
        var same = TestFiles.Random(1000, seed: 1);
        TestFiles.Write(Path.Combine(Src, "a"), same);
        TestFiles.Write(Path.Combine(Src, "b"), same);
        TestFiles.Write(Path.Combine(Src, "c"), TestFiles.Random(1000, seed: 2));
        Start();

        var a = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);
        var b = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);
        var c = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);

        // Two workers: the one with a's chunk stores the block; the one with b's finds it claimed and written, and
        // answers first (the writer's answer is still on its way).
        var stored = await EncodeAsync(a);
        var deduplicated = await EncodeAsync(b);
        Assert.NotNull(stored.Block!.Value.NewBlock);
        Assert.Null(deduplicated.Block!.Value.NewBlock);
        b.ReplyTo.Reply(deduplicated);
        await ExpectAsync(TransferEvent.Bytes, "src/b");

        // The commit timer fires now: b is complete and goes into a commit before a's answer (with the block) arrives.
        await _time.WaitForPendingTimersAsync(1, Within);
        _time.Advance(TimeSpan.FromSeconds(1));
        var settled = await ExpectSettledAsync("src/b");

        a.ReplyTo.Reply(stored);
        c.ReplyTo.Reply(await EncodeAsync(c));
        var outcome = await _outcome.ExpectMessageAsync(Within);

        Assert.Equal(TransferEvent.FileDone, settled.Event);
        Assert.Null(outcome.Failure);
        Assert.Equal(4, outcome.Report.FilesAdded);
        Assert.Equal(2, outcome.Report.NewBlocks);
        Assert.Equal(1, outcome.Report.DedupBlocks);
        Assert.Equal(["src", "src/a", "src/b", "src/c"], Catalogue());
        Assert.Empty(_repository.Catalog.IntegrityCheck());
    }

    [Fact]
    public async Task Encoders_PermanentStoreFailure_AbortsAfterCommittingWhatIsComplete()
    {
        for (var i = 0; i < 6; i++)
        {
            TestFiles.Write(Path.Combine(Src, $"f{i}"), TestFiles.Random(1000, seed: 10 + i));
        }

        Start(maxChunksInFlight: 2);
        var f0 = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);
        var f1 = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);

        // f1's chunk fails as on a full disk, while the reader waits for room; then f0's chunk is answered.
        var full = new BackendException(BackendFailureKind.Permanent, _repository.Backends.Primary.Name, "disk full", null);
        f1.Chunk.Dispose();
        f1.ReplyTo.Reply(new ChunkEncoded(f1.File, f1.Seq, 1000, null, full));
        f0.ReplyTo.Reply(await EncodeAsync(f0));
        var outcome = await AnswerUntilOutcomeAsync();

        // What was complete is committed; the reader stopped (at most the chunk it was already sending got through).
        Assert.Same(full, outcome.Failure);
        var catalogued = Catalogue();
        Assert.Subset(new HashSet<string> { "src", "src/f0", "src/f2" }, catalogued.ToHashSet());
        Assert.Contains("src/f0", catalogued);
        Assert.DoesNotContain("src/f1", catalogued);
        Assert.Equal(catalogued.Count, outcome.Report.FilesAdded);
        Assert.Contains(outcome.Report.Failures, f => f.StartsWith("src/f1:", StringComparison.Ordinal) && f.Contains("disk full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_WhileTheReaderWaitsForRoom_CommitsCompleteFilesAndRepliesCancelled()
    {
        TestFiles.Write(Path.Combine(Src, "a"), TestFiles.Random(1000, seed: 20));
        TestFiles.Write(Path.Combine(Src, "b"), TestFiles.Random(200_000, seed: 21));
        using var cancel = new CancellationTokenSource();
        Start(maxChunksInFlight: 2, cancel.Token);

        var a = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);
        var b0 = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);
        a.ReplyTo.Reply(await EncodeAsync(a));
        var b1 = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);

        // Two chunks of b are out; the reader waits for room to send the third. Cancel there, then answer them.
        cancel.Cancel();
        b0.ReplyTo.Reply(await EncodeAsync(b0));
        b1.ReplyTo.Reply(await EncodeAsync(b1));
        var outcome = await AnswerUntilOutcomeAsync();

        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Failure);
        Assert.Equal(["src", "src/a"], Catalogue());
        Assert.Equal(2, outcome.Report.FilesAdded);

        // b was cut off by the cancellation the user asked for: neither added nor counted as a failed file.
        Assert.Equal(0, outcome.Report.FilesFailed);
        Assert.Empty(outcome.Report.Failures);
    }

    [Fact]
    public async Task Stop_BeforeFinishing_RepliesCancelled()
    {
        TestFiles.Write(Path.Combine(Src, "a"), TestFiles.Random(1000, seed: 30));
        Start();
        var a = await _encoders.ExpectMessageAsync<EncodeChunk>(Within);
        a.Chunk.Dispose();

        await _system.StopAsync(_system.TopLevelActors.Single(r => r.Path.EndsWith("/ingest", StringComparison.Ordinal)));
        var outcome = await _outcome.ExpectMessageAsync(Within);

        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Failure);
        Assert.Empty(Catalogue());
    }

    // Answers every chunk the reader still sends (encoding it for real) until the job replies.
    private async Task<TransferOutcome<IngestReport>> AnswerUntilOutcomeAsync()
    {
        var outcome = _outcome.ExpectMessageAsync(Within);
        while (!outcome.IsCompleted)
        {
            var next = _encoders.ExpectMessageAsync<EncodeChunk>(Within);
            if (await Task.WhenAny(outcome, next) == next)
            {
                var chunk = await next;
                chunk.ReplyTo.Reply(await EncodeAsync(chunk));
            }
        }

        return await outcome;
    }
}

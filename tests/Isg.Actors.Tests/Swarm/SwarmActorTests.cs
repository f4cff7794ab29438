using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Peers;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Swarm;

/// <summary>
/// Two copies of one repository: A holds a file's blocks; B holds the same catalogue with its blocks gone (as after a
/// catalogue sync) and fetches them from A through A's block server.
/// </summary>
public sealed class SwarmActorTests : IAsyncLifetime
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IDisposable> _owned = [];
    private readonly ActorSystem _system = new("swarm-test");
    private byte[] _content = [];

    private string RepoA => _dir.Combine("a");

    private string RepoB => _dir.Combine("b");

    public async Task InitializeAsync()
    {
        using (var repository = TestRepository.Create(_dir, "a"))
        {
            repository.Settings.Set(RepositorySettings.RedundancyKey, "0");
        }

        _content = SampleData.RandomBytes(300_000, seed: 7);
        Directory.CreateDirectory(_dir.Combine("src"));
        await File.WriteAllBytesAsync(_dir.Combine("src/file.bin"), _content);
        await using (var node = StorageNode.Start(Repository.Open(RepoA, TestRepository.Passphrase, NullLoggerFactory.Instance),
            NullLoggerFactory.Instance, new StorageNodeOptions(Workers: 2)))
        {
            await node.AddAsync([new IngestSource(_dir.Combine("src/file.bin"), "file.bin")], new IngestOptions(), null, CancellationToken.None).WaitAsync(s_within);
        }

        // B: the same repository, its catalogue kept, its blocks gone.
        CopyDirectory(RepoA, RepoB);
        Directory.Delete(Path.Combine(RepoB, "blocks"), recursive: true);
        Directory.CreateDirectory(Path.Combine(RepoB, "blocks"));
        using (var repository = Repository.Open(RepoB, TestRepository.Passphrase, NullLoggerFactory.Instance))
        {
            Isg.Actors.Tests.Catalog.CatalogTestData.Execute(repository.Catalog, "DELETE FROM chunks");
        }
    }

    public async Task DisposeAsync()
    {
        await _system.ShutdownAsync();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _dir.Dispose();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) != "lock")
            {
                File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
            }
        }
    }

    private Repository Open(string root)
    {
        var repository = Repository.Open(root, TestRepository.Passphrase, NullLoggerFactory.Instance);
        _owned.Add(repository);
        return repository;
    }

    // A link to a peer whose block server answers in process; Tamper may rewrite answers.
    private sealed class ServerLink(DeviceId remote, BlockServer server) : IPeerLink
    {
        public DeviceId Remote { get; } = remote;

        public Func<PeerFrame, PeerFrame>? Tamper { get; init; }

        public int Requests;

        /// <summary>Completes when this many requests have been made.</summary>
        public (int Count, TaskCompletionSource Reached)? RequestsReached { get; init; }

        public async Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref Requests) == RequestsReached?.Count)
            {
                RequestsReached.Value.Reached.SetResult();
            }

            var answer = (await server.AnswerAsync(request, cancellationToken))!;
            return Tamper is null ? answer : Tamper(answer);
        }

        public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private static DeviceId Device(int n) => DeviceId.FromHash(Hash256.Compute([(byte)n, 0x53]));

    private ServerLink Serve(int device, string root, Func<PeerFrame, PeerFrame>? tamper = null, (int, TaskCompletionSource)? requestsReached = null)
    {
        var server = new BlockServer(Open(root), NullLogger.Instance);
        _owned.Add(server);
        return new ServerLink(Device(device), server) { Tamper = tamper, RequestsReached = requestsReached };
    }

    private IActorRef<ICatalogCommand>? _catalogB;

    private (Repository Repository, IActorRef<ISwarmCommand> Swarm) StartB(SwarmOptions? options = null)
    {
        var repository = Open(RepoB);
        _catalogB = _system.Spawn<ICatalogCommand>("catalog-b", () => new CatalogActor(repository.Catalog));
        var catalog = _catalogB;
        var swarm = _system.Spawn<ISwarmCommand>("swarm-b", () => new SwarmActor(repository, catalog, options ?? new SwarmOptions { FetchAll = false }));
        return (repository, swarm);
    }

    // Stops B's actors and closes its repository, so a node can open it to restore.
    private async Task StopBAsync(Repository repository, IActorRef<ISwarmCommand> swarm)
    {
        await _system.StopAsync(swarm);
        await _system.StopAsync(_catalogB!);
        _owned.Remove(repository);
        repository.Dispose();
    }

    private static IReadOnlyList<BlockId> Wanted(Repository repository)
    {
        using var reader = repository.Catalog.CreateReader();
        return [.. reader.ReadWantedBlocks(100_000).Select(w => w.Id)];
    }

    // B's wanted blocks and their sizes, read before B's actors start.
    private Dictionary<BlockId, int> WantedSizesOfB()
    {
        using var copy = Repository.Open(RepoB, TestRepository.Passphrase, NullLoggerFactory.Instance);
        return WantedSizes(copy);
    }

    private static Dictionary<BlockId, int> WantedSizes(Repository repository)
    {
        using var reader = repository.Catalog.CreateReader();
        return reader.ReadWantedBlocks(100_000).ToDictionary(w => w.Id, w => w.PlainSize);
    }

    // Asks the peer for parts of at most maxLength bytes, so every block arrives in several answers.
    private sealed class SmallPartsLink(ServerLink inner, uint maxLength) : IPeerLink
    {
        public DeviceId Remote => inner.Remote;

        public Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken)
        {
            var capped = request.Clone();
            capped.BlockRequest.MaxLength = maxLength;
            return inner.RequestAsync(capped, cancellationToken);
        }

        public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    // Holds every request at a gate and records which blocks were asked for.
    private sealed class GatedLink(ServerLink inner, Task gate) : IPeerLink
    {
        private readonly Lock _lock = new();
        private readonly List<BlockId> _asked = [];
        private (int Count, TaskCompletionSource<IReadOnlyList<BlockId>> Done)? _waiter;

        public DeviceId Remote => inner.Remote;

        /// <summary>The blocks asked for, once at least <paramref name="count"/> requests have come.</summary>
        public Task<IReadOnlyList<BlockId>> WaitForRequestsAsync(int count)
        {
            lock (_lock)
            {
                var done = new TaskCompletionSource<IReadOnlyList<BlockId>>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiter = (count, done);
                Check();
                return done.Task;
            }
        }

        public async Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _asked.Add(BlockId.FromBytes(request.BlockRequest.BlockId.Span));
                Check();
            }

            await gate.WaitAsync(cancellationToken);
            return await inner.RequestAsync(request, cancellationToken);
        }

        public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        private void Check()
        {
            if (_waiter is { } waiter && _asked.Count >= waiter.Count)
            {
                waiter.Done.TrySetResult([.. _asked]);
            }
        }
    }

    private static Task<BlocksFetched> FetchAsync(IActorRef<ISwarmCommand> swarm, IReadOnlyList<BlockId> blocks) =>
        swarm.AskAsync<ISwarmCommand, BlocksFetched>(r => new FetchBlocks(blocks, r), s_within, CancellationToken.None);

    private async Task AssertRestoresAsync()
    {
        await using var node = StorageNode.Start(Repository.Open(RepoB, TestRepository.Passphrase, NullLoggerFactory.Instance),
            NullLoggerFactory.Instance, new StorageNodeOptions(Workers: 2));
        var output = _dir.Combine("out");
        var report = await node.RestoreAsync(new RestoreRequest("file.bin", output, false), null, CancellationToken.None).WaitAsync(s_within);
        Assert.Empty(report.Failures);
        Assert.Equal(_content, await File.ReadAllBytesAsync(File.Exists(output) ? output : Path.Combine(output, "file.bin")));
    }

    [Fact]
    public async Task FetchBlocks_FromAPeerThatHasThem_AllArriveCheckedAndTheFileRestores()
    {
        var (repository, swarm) = StartB();
        var wanted = Wanted(repository);
        Assert.True(wanted.Count > 10, $"{wanted.Count} blocks");
        swarm.Tell(new SwarmPeerUp(Serve(1, RepoA)));

        var fetched = await FetchAsync(swarm, wanted);

        Assert.Empty(fetched.Missing);
        Assert.Empty(Wanted(repository));
        Assert.Empty(repository.Catalog.IntegrityCheck());
        await StopBAsync(repository, swarm);
        await AssertRestoresAsync();
    }

    [Fact]
    public async Task FetchBlocks_OnePeerSendsCorruptBlocks_FetchedFromTheOtherAndTheLiarPenalised()
    {
        var (repository, swarm) = StartB();
        var wanted = Wanted(repository);
        var liar = Serve(1, RepoA, answer =>
        {
            if (answer.BodyCase == PeerFrame.BodyOneofCase.BlockResponse)
            {
                var bytes = answer.BlockResponse.PartBytes.ToArray();
                bytes[^1] ^= 0x40;
                answer.BlockResponse.Trailer?.Dispose();
                answer.BlockResponse.Trailer = null;
                answer.BlockResponse.Sealed = ByteString.CopyFrom(bytes);
            }

            return answer;
        });
        swarm.Tell(new SwarmPeerUp(liar));
        swarm.Tell(new SwarmPeerUp(Serve(2, RepoA)));

        var fetched = await FetchAsync(swarm, wanted);

        Assert.Empty(fetched.Missing);
        var status = await swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_within, CancellationToken.None);
        var liarState = status.Peers.Single(p => p.Peer == liar.Remote);
        Assert.True(liarState.BadBlocks > 0);
        Assert.Equal(0, liarState.Received);
        Assert.Equal(wanted.Count, status.Peers.Single(p => p.Peer != liar.Remote).Received);
        await StopBAsync(repository, swarm);
        await AssertRestoresAsync();
    }

    [Fact]
    public async Task FetchAll_MoreWantedThanOnePage_NextPagesQueuedAsFetchesEndWithoutWaitingForThePoll()
    {
        // One block at a time and a poll that never comes again: only refilling as fetches end gets past the first page.
        var options = new SwarmOptions { FetchAll = true, MaxInFlight = 1, PerPeerRequests = 1, PollInterval = TimeSpan.FromHours(1) };
        var (repository, swarm) = StartB(options);
        var wanted = Wanted(repository);
        Assert.True(wanted.Count > options.MaxInFlight * 8 * 3, $"{wanted.Count} blocks");
        var allRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var peer = Serve(1, RepoA, requestsReached: (wanted.Count, allRequested));

        swarm.Tell(new SwarmPeerUp(peer));
        await allRequested.Task.WaitAsync(s_within);
        var fetched = await FetchAsync(swarm, wanted);

        Assert.Empty(fetched.Missing);
        Assert.Empty(Wanted(repository));
        Assert.Equal(wanted.Count, peer.Requests);
        await StopBAsync(repository, swarm);
        await AssertRestoresAsync();
    }

    [Fact]
    public async Task FetchAll_ByteBudget_StartsBlocksUpToItsPlaintextBytesAndTheRestAfter()
    {
        // Requests wait at a gate, so the first dispatch is all there is when the status is read.
        var sizes = WantedSizesOfB();
        var budget = 3L * sizes.Values.Order().ElementAt(sizes.Count / 2);
        var (repository, swarm) = StartB(new SwarmOptions { FetchAll = true, MaxInFlight = 1000, PerPeerRequests = 1000, MaxBytesInFlight = budget, PollInterval = TimeSpan.FromHours(1) });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var link = new GatedLink(Serve(1, RepoA), gate.Task);

        swarm.Tell(new SwarmPeerUp(link));
        var status = await swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_within, CancellationToken.None);
        var started = await link.WaitForRequestsAsync(status.InFlight).WaitAsync(s_within);

        Assert.InRange(status.InFlight, 2, sizes.Count - 1);
        var running = started.Sum(id => (long)sizes[id]);
        Assert.True(running <= budget, $"{running} bytes in flight, budget {budget}");
        Assert.All(sizes.Keys.Except(started), id => Assert.True(running + sizes[id] > budget, $"block {id} of {sizes[id]} bytes fits but waits"));
        gate.SetResult();
        var fetched = await FetchAsync(swarm, [.. sizes.Keys]);
        Assert.Empty(fetched.Missing);
        Assert.Empty(Wanted(repository));
        await StopBAsync(repository, swarm);
        await AssertRestoresAsync();
    }

    [Fact]
    public async Task Status_CountKeptLongWhileFetchesRun_IsCountedAfreshOnceNothingIsInFlight()
    {
        var sizes = WantedSizesOfB();
        var (repository, swarm) = StartB(new SwarmOptions { FetchAll = true, PollInterval = TimeSpan.FromHours(1), WantedCountMaxAge = TimeSpan.FromHours(1) });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var link = new GatedLink(Serve(1, RepoA), gate.Task);
        swarm.Tell(new SwarmPeerUp(link));

        var during = await swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_within, CancellationToken.None);
        gate.SetResult();
        var fetched = await FetchAsync(swarm, [.. sizes.Keys]);
        var after = await swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_within, CancellationToken.None);

        Assert.True(during.InFlight > 0);
        Assert.Equal(sizes.Count, during.Wanted);
        Assert.Empty(fetched.Missing);
        Assert.Equal(0, after.InFlight);
        Assert.Equal(0, after.Wanted);
        await StopBAsync(repository, swarm);
    }

    [Fact]
    public async Task PeerHasBlocks_FullReplicaThatKnowsNoEntry_FetchesThemFromTheAnnouncerAndKeepsThem()
    {
        // J is a new device of the repository: no entry yet names A's blocks (A's add has not committed, as it were).
        var sizes = WantedSizesOfB();
        var joined = Repository.Join(_dir.Combine("j"), RepoA, TestRepository.Passphrase, NullLoggerFactory.Instance);
        _owned.Add(joined);
        var catalog = _system.Spawn<ICatalogCommand>("catalog-j", () => new CatalogActor(joined.Catalog));
        var swarm = _system.Spawn<ISwarmCommand>("swarm-j", () => new SwarmActor(joined, catalog, new SwarmOptions { FetchAll = true, PollInterval = TimeSpan.FromHours(1) }));
        TestRepository.Create(_dir, "empty").Dispose();
        var bystander = Serve(3, _dir.Combine("empty"));
        var allRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var announcer = Serve(1, RepoA, requestsReached: (sizes.Count, allRequested));
        swarm.Tell(new SwarmPeerUp(bystander));
        swarm.Tell(new SwarmPeerUp(announcer));

        swarm.Tell(new PeerHasBlocks(announcer.Remote, [.. sizes.Select(s => new BlockAnnouncement(s.Key, s.Value))]));
        await allRequested.Task.WaitAsync(s_within);
        var fetched = await FetchAsync(swarm, [.. sizes.Keys]); // waits for the announced fetches to be committed

        Assert.Empty(fetched.Missing);
        Assert.Equal(sizes.Count, announcer.Requests);
        Assert.Equal(0, bystander.Requests);
        using var reader = joined.Catalog.CreateReader();
        Assert.All(sizes.Keys, id => Assert.Single(reader.GetBlockLocations(id)));
        Assert.Equal(sizes.Count, reader.FindUnreferencedBlocks(100_000).Count);
    }

    [Fact]
    public async Task PeerHasBlocks_OnDemandNode_FetchesNothing()
    {
        var (repository, swarm) = StartB(new SwarmOptions { FetchAll = false });
        var sizes = WantedSizes(repository);
        var peer = Serve(1, RepoA);
        swarm.Tell(new SwarmPeerUp(peer));

        swarm.Tell(new PeerHasBlocks(peer.Remote, [.. sizes.Select(s => new BlockAnnouncement(s.Key, s.Value))]));
        var status = await swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_within, CancellationToken.None);

        Assert.Equal(0, status.InFlight);
        Assert.Equal(0, peer.Requests);
    }

    [Fact]
    public async Task FetchBlocks_PeerAnswersInSmallParts_EachBlockAssembledCheckedAndTheFileRestores()
    {
        var (repository, swarm) = StartB();
        var wanted = Wanted(repository);
        var peer = Serve(1, RepoA);
        swarm.Tell(new SwarmPeerUp(new SmallPartsLink(peer, maxLength: 1000)));

        var fetched = await FetchAsync(swarm, wanted);

        Assert.Empty(fetched.Missing);
        Assert.True(peer.Requests > wanted.Count * 2, $"{peer.Requests} requests for {wanted.Count} blocks");
        Assert.Empty(Wanted(repository));
        await StopBAsync(repository, swarm);
        await AssertRestoresAsync();
    }

    [Fact]
    public async Task FetchBlocks_ThreePeersHoldEveryBlock_EachServesSome()
    {
        // Two requests per peer at most: with more blocks than slots, least busy first hands every peer work.
        var (repository, swarm) = StartB(new SwarmOptions { FetchAll = false, PerPeerRequests = 2 });
        var wanted = Wanted(repository);
        Assert.True(wanted.Count > 6, $"{wanted.Count} blocks");
        var peers = new[] { Serve(1, RepoA), Serve(2, RepoA), Serve(3, RepoA) };
        foreach (var peer in peers)
        {
            swarm.Tell(new SwarmPeerUp(peer));
        }

        var fetched = await FetchAsync(swarm, wanted);

        Assert.Empty(fetched.Missing);
        var status = await swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_within, CancellationToken.None);
        Assert.Equal(3, status.Peers.Count);
        Assert.Equal(wanted.Count, status.Peers.Sum(p => p.Received));
        Assert.All(status.Peers, p => Assert.True(p.Received > 0, $"peer {p.Peer.ShortId} served nothing"));
        Assert.Empty(Wanted(repository));
        await StopBAsync(repository, swarm);
        await AssertRestoresAsync();
    }

    [Fact]
    public async Task FetchBlocks_NoPeerHasThem_ReportsEveryBlockMissing()
    {
        var (repository, swarm) = StartB();
        var wanted = Wanted(repository);
        TestRepository.Create(_dir, "empty").Dispose();

        // A peer whose repository holds none of these blocks answers NOT_FOUND.
        swarm.Tell(new SwarmPeerUp(Serve(3, _dir.Combine("empty"))));

        var fetched = await FetchAsync(swarm, wanted);

        Assert.Equal(wanted.ToHashSet(), fetched.Missing.ToHashSet());
        Assert.Equal(wanted.Count, Wanted(repository).Count);
    }

    [Fact]
    public async Task FetchBlocks_NoPeers_ReportsMissingAtOnce()
    {
        var (repository, swarm) = StartB();
        var wanted = Wanted(repository);

        var fetched = await FetchAsync(swarm, wanted.Take(3).ToList());

        Assert.Equal(3, fetched.Missing.Count);
    }
}

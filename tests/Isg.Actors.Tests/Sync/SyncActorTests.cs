using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Actors.Sync;
using Isg.Actors.Tests.Catalog;
using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Sync;

public sealed class SyncActorTests : IAsyncLifetime
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(30);

    // Ticks and drift checks often enough that a test waits for them in well under a second.
    private static readonly SyncOptions s_often = new() { TickInterval = TimeSpan.FromMilliseconds(20), DriftInterval = TimeSpan.FromMilliseconds(100) };
    private readonly SyncTestCatalogs _catalogs = new("sync-actor-test");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _catalogs.DisposeAsync();

    private sealed class Node
    {
        public required DeviceId Device { get; init; }

        public required CatalogDatabase Database { get; init; }

        public required IActorRef<ICatalogCommand> Catalog { get; init; }

        public required CatalogSyncResponder Responder { get; init; }

        public IActorRef<ISyncCommand> Sync { get; set; } = null!;

        // Completed and replaced after every pull this node finishes (by the sync actor's thread; read by the test's).
        private volatile TaskCompletionSource _pulled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Pulled
        {
            get => _pulled;
            set => _pulled = value;
        }
    }

    // A link from `from` to `to`: requests are answered by to's responder, summaries go to to's sync actor as from's.
    private sealed class Link(Node from, Node to) : IPeerLink
    {
        private int _rootRequests;
        private int _operationsReceived;

        // While true, summaries carrying a root are lost on the way (as on a connection being replaced).
        public volatile bool DropRoots;

        // Completed by the first summary with a root delivered after DropRoots was set to false.
        public TaskCompletionSource RootDelivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DeviceId Remote => to.Device;

        // Merkle root requests sent over this link: each starts a drift repair.
        public int RootRequests => Volatile.Read(ref _rootRequests);

        // While true, requests are never answered (a peer that stalls); they end only when cancelled.
        public volatile bool HangRequests;

        // Catalogue operations the answers over this link carried.
        public int OperationsReceived => Volatile.Read(ref _operationsReceived);

        // Requests still to fail as a connection that drops a request does (the peer stays connected).
        public int FailingRequests;

        public Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken)
        {
            if (request.BodyCase == PeerFrame.BodyOneofCase.MerkleRootRequest)
            {
                Interlocked.Increment(ref _rootRequests);
            }

            if (Interlocked.Decrement(ref FailingRequests) >= 0)
            {
                return Task.FromException<PeerFrame>(new PeerUnavailableException(to.Device, "the request was lost"));
            }

            if (HangRequests)
            {
                return Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith<PeerFrame>(
                    _ => throw new OperationCanceledException(cancellationToken), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            var answer = to.Responder.Answer(PeerFrame.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(request)))!;
            if (answer.BodyCase == PeerFrame.BodyOneofCase.OperationsResponse)
            {
                Interlocked.Add(ref _operationsReceived, answer.OperationsResponse.Operations.Count);
            }

            return Task.FromResult(answer);
        }

        public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken)
        {
            var withRoot = !message.SyncSummary.CatalogRoot.IsEmpty;
            if (withRoot && DropRoots)
            {
                return ValueTask.CompletedTask;
            }

            to.Sync.Tell(new SummaryReceived(from.Device, message.SyncSummary.Clone()));
            if (withRoot)
            {
                RootDelivered.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }
    }

    private Node Open(int n, SyncOptions? options = null)
    {
        var (device, database, catalog) = _catalogs.Open(n, 0x41);
        var node = new Node
        {
            Device = device,
            Database = database,
            Catalog = catalog,
            Responder = new CatalogSyncResponder(database),
        };
        node.Sync = _catalogs.System.Spawn<ISyncCommand>($"sync-{n}", () => new SyncActor(database, node.Catalog, options ?? new SyncOptions())
        {
            PullCompleted = _ =>
            {
                var done = node.Pulled;
                node.Pulled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                done.SetResult();
            },
        });
        return node;
    }

    private static void Connect(Node a, Node b)
    {
        a.Sync.Tell(new PeerJoined(new Link(a, b)));
        b.Sync.Tell(new PeerJoined(new Link(b, a)));
    }

    // Node a holds `files` files and b has taken them from it; then a fresh node c (with `options`) joins both, a first.
    // aStalls: c's requests to a are never answered.
    private async Task<(Node A, Node C, Link FromA, Link FromB)> FreshNodeJoinsTwoPeersAsync(int files, SyncOptions options, bool aStalls)
    {
        var a = Open(1);
        var b = Open(2);
        for (var i = 0; i < files; i++)
        {
            await AddAsync(a, $"shared/{i:D2}", i);
        }

        Connect(a, b);
        await UntilAsync(b, () => Digest(b).Count == files);

        var c = Open(3, options);
        var fromA = new Link(c, a) { HangRequests = aStalls };
        var fromB = new Link(c, b);
        a.Sync.Tell(new PeerJoined(new Link(a, c)));
        b.Sync.Tell(new PeerJoined(new Link(b, c)));
        c.Sync.Tell(new PeerJoined(fromA));
        c.Sync.Tell(new PeerJoined(fromB));
        return (a, c, fromA, fromB);
    }

    private static Task AddAsync(Node node, string path, int content) => SyncTestCatalogs.AddAsync(node.Catalog, path, content);

    private static CatalogDigest Digest(Node node) => SyncTestCatalogs.Digest(node.Database);

    // Waits, pull by pull, until `done` holds; fails after the bound. The pull signal is taken before each check, so a
    // pull that ends between the check and the wait still wakes it.
    private static async Task UntilAsync(Node node, Func<bool> done)
    {
        using var bound = new CancellationTokenSource(s_within);
        while (true)
        {
            var pulled = node.Pulled.Task;
            if (done())
            {
                return;
            }

            await pulled.WaitAsync(bound.Token);
        }
    }

    private static async Task<SyncStatus> StatusAsync(Node node) =>
        await node.Sync.AskAsync<ISyncCommand, SyncStatus>(r => new GetSyncStatus(r), s_within, CancellationToken.None);

    // Waits until `node` holds one file, then checks it reports its one peer in step: nothing behind or ahead, roots agreeing.
    private static async Task ExpectOneFileAndInStepAsync(Node node)
    {
        await UntilAsync(node, () => Digest(node).Count == 1);
        var peer = Assert.Single((await StatusAsync(node)).Peers);
        Assert.Equal(0, peer.Behind);
        Assert.Equal(0, peer.Ahead);
        Assert.True(peer.RootsAgree);
    }

    [Fact]
    public async Task LocalWrite_AnnouncedToConnectedPeer_PeerPullsIt()
    {
        var a = Open(1);
        var b = Open(2);
        Connect(a, b);

        await AddAsync(a, "new.txt", 1);

        await UntilAsync(b, () => Digest(b).Count == 1);
        Assert.Equal(Digest(a), Digest(b));
    }

    [Fact]
    public async Task LocalWrite_ToldByTheCatalogue_AnnouncedWithoutWaitingForATick()
    {
        // After the ticks at their start, the next come in an hour: only CatalogWritten can make A look at its log.
        var quiet = new SyncOptions { TickInterval = TimeSpan.FromHours(1), DriftInterval = TimeSpan.FromHours(1) };
        var a = Open(1, quiet);
        var b = Open(2, quiet);
        var joined = b.Pulled.Task;
        Connect(a, b);
        await joined.WaitAsync(s_within);

        await AddAsync(a, "new.txt", 1);
        a.Sync.Tell(new CatalogWritten());
        a.Sync.Tell(new CatalogWritten());

        await UntilAsync(b, () => Digest(b).Count == 1);
        Assert.Equal(Digest(a), Digest(b));
    }

    [Fact]
    public async Task Connect_AfterConcurrentEdits_BothHoldBothVersionsAndReportInStep()
    {
        var a = Open(1);
        var b = Open(2);
        await AddAsync(a, "shared.txt", 1);
        await AddAsync(b, "shared.txt", 2);
        await AddAsync(b, "only-b", 3);

        Connect(a, b);

        await UntilAsync(a, () => Digest(a).Count == 3);
        await UntilAsync(b, () => Digest(b).Count == 3);
        Assert.Equal(Digest(a), Digest(b));
        using (var reader = a.Database.CreateReader())
        {
            Assert.Contains(reader.ListFiles(string.Empty), f => f.Path.Contains(ConflictCopyName.Marker, StringComparison.Ordinal));
        }

        var status = await StatusAsync(a);
        var peer = Assert.Single(status.Peers);
        Assert.Equal(b.Device, peer.Peer);
        Assert.Equal(0, peer.Behind);
    }

    [Fact]
    public async Task Summary_ArrivingBeforeJoin_IsKeptAndPeerReportsInStep()
    {
        var a = Open(1);
        var b = Open(2);
        await AddAsync(a, "early.txt", 1);

        // The connection delivers a's summary before the peers actor's join reaches b; a's log never grows again.
        b.Sync.Tell(new SummaryReceived(a.Device, a.Responder.Summary()));
        b.Sync.Tell(new PeerJoined(new Link(b, a)));

        await ExpectOneFileAndInStepAsync(b);
    }

    [Fact]
    public async Task Summary_OnConnectionBeingReplaced_IsAppliedToTheNewOne()
    {
        var a = Open(1);
        var b = Open(2);
        await AddAsync(a, "replaced.txt", 1);

        // Both dialled: b joins a's first connection, a's summary lands on it, then the duplicate replaces it.
        b.Sync.Tell(new PeerJoined(new Link(b, a)));
        b.Sync.Tell(new SummaryReceived(a.Device, a.Responder.Summary()));
        b.Sync.Tell(new PeerLeft(a.Device));
        b.Sync.Tell(new PeerJoined(new Link(b, a)));

        await ExpectOneFileAndInStepAsync(b);
    }

    [Fact]
    public async Task Pull_ThatFails_IsTriedAgainWithoutANewSummaryOrTick()
    {
        // No ticks or drift checks after the first: a's one summary is all b hears, so only b's retries can bring it.
        var quiet = new SyncOptions
        {
            TickInterval = TimeSpan.FromHours(1),
            DriftInterval = TimeSpan.FromHours(1),
            PullRetryDelay = TimeSpan.FromMilliseconds(10),
        };
        var a = Open(1, quiet);
        var b = Open(2, quiet);
        await AddAsync(a, "retried.txt", 1);
        var link = new Link(b, a) { FailingRequests = 3 };

        b.Sync.Tell(new PeerJoined(link));
        b.Sync.Tell(new SummaryReceived(a.Device, a.Responder.Summary()));

        await UntilAsync(b, () => Digest(b).Count == 1);
        Assert.Equal(Digest(a), Digest(b));
        Assert.True(link.FailingRequests < 0, "every failing request was made");
    }

    [Fact]
    public async Task SummaryWithoutRoot_OnceInStep_StartsNoDriftRepairWithTheRootItsPeerSentBefore()
    {
        var a = Open(1);
        var b = Open(2);
        var link = new Link(b, a);
        await AddAsync(a, "first.txt", 1);
        b.Sync.Tell(new PeerJoined(link));
        b.Sync.Tell(new SummaryReceived(a.Device, a.Responder.Summary()));
        await UntilAsync(b, () => Digest(b).Count == 1);

        // a's log grows: it says so without a root (as its tick does), once to pull by and once more with b in step.
        await AddAsync(a, "second.txt", 2);
        var grown = new SyncSummary { Have = a.Responder.Summary().Have };
        b.Sync.Tell(new SummaryReceived(a.Device, grown));
        await UntilAsync(b, () => Digest(b).Count == 2);
        b.Sync.Tell(new SummaryReceived(a.Device, grown.Clone()));

        // A later pull runs after any repair the repeated summary started, so by the third file every request is made.
        await AddAsync(a, "third.txt", 3);
        b.Sync.Tell(new SummaryReceived(a.Device, new SyncSummary { Have = a.Responder.Summary().Have }));
        await UntilAsync(b, () => Digest(b).Count == 3);

        Assert.Equal(0, link.RootRequests);
        Assert.Equal(Digest(a), Digest(b));
    }

    [Fact]
    public async Task Join_FreshNodeWithTwoPeersHoldingTheSameLog_TakesEachOperationOnce()
    {
        var (a, c, fromA, fromB) = await FreshNodeJoinsTwoPeersAsync(files: 40, new SyncOptions(), aStalls: false);

        await UntilAsync(c, () => Digest(c).Count == 40);

        // One pull brought the log; the other peer's was put off and then found nothing left to take.
        Assert.Equal(40, fromA.OperationsReceived + fromB.OperationsReceived);
        Assert.Equal(Digest(a).Root, Digest(c).Root);
    }

    [Fact]
    public async Task Join_PeerWhosePullStalls_PutsTheOtherPullOffOnlyForThePatience()
    {
        var (_, c, fromA, fromB) = await FreshNodeJoinsTwoPeersAsync(
            files: 10, s_often with { PullPatience = TimeSpan.FromMilliseconds(300) }, aStalls: true);

        // The pull from a never ends; b's, put off behind it, starts once a's has brought nothing for the patience.
        await UntilAsync(c, () => Digest(c).Count == 10);
        Assert.Equal(10, fromB.OperationsReceived);
        Assert.Equal(0, fromA.OperationsReceived);
    }

    [Fact]
    public async Task Status_WhileTheCatalogueGrows_EachRootIsTheOneOfTheVectorBesideIt()
    {
        // A root paired with the wrong log state reads, to a peer holding that log, as drift. The writer here commits
        // file after file while the actor is asked for its state without pause: every root it gives must be the
        // catalogue's root at the vector it gives with it (the test reads each state's pair in one snapshot).
        var a = Open(1);
        for (var i = 0; i < 200; i++)
        {
            await AddAsync(a, $"base/{i:D3}", i);
        }

        var rootAt = new Dictionary<Isg.Protocol.Crdt.VersionVector, Hash256>();
        void RecordState()
        {
            using var reader = a.Database.CreateReader();
            using (reader.BeginSnapshot())
            {
                rootAt[reader.ReadVersionVector()] = reader.ComputeCatalogDigest(string.Empty, null).Root;
            }
        }

        RecordState();
        using var stop = new CancellationTokenSource();
        var asked = Task.Run(async () =>
        {
            var seen = new List<SyncStatus>();
            while (!stop.IsCancellationRequested)
            {
                seen.Add(await StatusAsync(a));
            }

            return seen;
        });
        for (var i = 0; i < 400; i++)
        {
            await AddAsync(a, $"grown/{i:D3}", 1000 + i);
            RecordState();
        }

        await stop.CancelAsync();
        var statuses = await asked;

        Assert.True(statuses.Count >= 50, $"{statuses.Count} answers");
        Assert.All(statuses, s => Assert.Equal(rootAt[s.Vector], s.Root));
    }

    [Fact]
    public async Task RootLost_OnceTheLogsAgree_ResentAtTheNextDriftCheckAndPeerReportsInStep()
    {
        var a = Open(1, s_often);
        var b = Open(2, s_often);
        await AddAsync(a, "only.txt", 1);
        var toB = new Link(a, b) { DropRoots = true };

        // b hears that a's log grew and pulls it, but every summary of a's with a root is lost.
        a.Sync.Tell(new PeerJoined(toB));
        b.Sync.Tell(new PeerJoined(new Link(b, a)));
        await UntilAsync(b, () => Digest(b).Count == 1);
        var before = Assert.Single((await StatusAsync(b)).Peers);
        Assert.False(before.RootsAgree);

        // a's log does not grow again; its drift check resends the root, and b is in step once that has arrived.
        toB.DropRoots = false;
        await toB.RootDelivered.Task.WaitAsync(s_within);
        await ExpectOneFileAndInStepAsync(b);
    }

    [Fact]
    public async Task Drift_EntryLostBehindTheLog_FoundAtTheNextDriftCheckRepairedAndReportedInStep()
    {
        var a = Open(1, s_often);
        var b = Open(2, s_often);
        for (var i = 0; i < 20; i++)
        {
            await AddAsync(a, $"f{i:D2}", i);
        }

        Connect(a, b);
        await UntilAsync(b, () => Digest(b).Count == 20);

        // An entry vanishes from b without a word in the log: the root b computed for this log no longer holds.
        CatalogTestData.RemoveEntryBehindTheLog(b.Database, "f07");

        await UntilAsync(b, () => Digest(b) == Digest(a));
        var peer = Assert.Single((await StatusAsync(b)).Peers);
        Assert.True(peer.RootsAgree);
        Assert.Equal(20, Digest(b).Count);
    }
}

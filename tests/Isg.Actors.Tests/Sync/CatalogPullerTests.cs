using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Actors.Sync;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Sync;

public sealed class CatalogPullerTests : IAsyncLifetime
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(30);
    private readonly SyncTestCatalogs _catalogs = new("sync-test");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _catalogs.DisposeAsync();

    private sealed record Node(DeviceId Device, CatalogDatabase Database, IActorRef<ICatalogCommand> Catalog, CatalogSyncResponder Responder, CatalogPuller Puller);

    private Node Open(int n)
    {
        var (device, database, catalog) = _catalogs.Open(n, 0x31);
        return new Node(device, database, catalog, new CatalogSyncResponder(database), new CatalogPuller(database, catalog, s_within));
    }

    private static LoopbackPeerLink Link(Node to) => new(to.Device, to.Responder);

    private static Task AddAsync(Node node, string path, int content) => SyncTestCatalogs.AddAsync(node.Catalog, path, content);

    private static async Task RemoveAsync(Node node, string path)
    {
        var reply = await node.Catalog.AskAsync<ICatalogCommand, PathRemoved>(r => new RemovePath(path, false, r), s_within, CancellationToken.None);
        Assert.Null(reply.Failure);
    }

    private static CatalogDigest Digest(Node node) => SyncTestCatalogs.Digest(node.Database);

    [Fact]
    public async Task PullOperationsAsync_ThousandFilesOnA_AllOnBInFewRequests()
    {
        var a = Open(1);
        var b = Open(2);
        for (var i = 0; i < 1000; i++)
        {
            await AddAsync(a, $"small/{i:D4}", i);
        }

        var link = Link(a);
        var applied = await b.Puller.PullOperationsAsync(link, CancellationToken.None);

        Assert.Equal(1000, applied);
        Assert.Equal(Digest(a), Digest(b));
        Assert.True(link.Requests <= 2, $"{link.Requests} requests");
        Assert.Equal(0, await b.Puller.PullOperationsAsync(link, CancellationToken.None));
    }

    [Fact]
    public async Task PullOperationsAsync_PageChangesTheCatalogue_TellsOnceAndNotForNothing()
    {
        var a = Open(1);
        var b = Open(2);
        var told = 0;
        var puller = new CatalogPuller(b.Database, b.Catalog, s_within, () => Interlocked.Increment(ref told));
        await AddAsync(a, "x", 1);
        await AddAsync(a, "y", 2);

        Assert.Equal(2, await puller.PullOperationsAsync(Link(a), CancellationToken.None));
        Assert.Equal(1, told);
        Assert.Equal(0, await puller.PullOperationsAsync(Link(a), CancellationToken.None));
        Assert.Equal(1, told);
    }

    [Fact]
    public async Task PullOperationsAsync_PeerCollectedWhatWeLack_TakesStateThenFollowsTheLog()
    {
        var a = Open(1);
        var b = Open(2);
        var c = Open(3);
        await AddAsync(a, "x", 1);
        await AddAsync(a, "x", 2);
        await RemoveAsync(a, "x");
        await AddAsync(a, "y", 3);
        await b.Puller.PullOperationsAsync(Link(a), CancellationToken.None);
        using (var reader = b.Database.CreateReader())
        {
            var vector = reader.ReadVersionVector();
            await a.Catalog.AskAsync<ICatalogCommand, MaintenanceDone>(r => new MaintainReplica(new ReplicaMaintenance.MemberVector(b.Device, vector), r), s_within, CancellationToken.None);
        }

        var collected = await a.Catalog.AskAsync<ICatalogCommand, MaintenanceDone>(
            r => new MaintainReplica(new ReplicaMaintenance.Collect([b.Device]), r), s_within, CancellationToken.None);
        Assert.Equal(3, collected.Count);

        await c.Puller.PullOperationsAsync(Link(a), CancellationToken.None);
        Assert.Equal(Digest(a), Digest(c));

        await AddAsync(a, "z", 4);
        var link = Link(a);
        Assert.Equal(1, await c.Puller.PullOperationsAsync(link, CancellationToken.None));
        Assert.Equal(1, link.Requests);
        Assert.Equal(Digest(a), Digest(c));
    }

    [Fact]
    public async Task RepairDriftAsync_ViewChangedBehindTheLog_RootsAgreeAgain()
    {
        var a = Open(1);
        var b = Open(2);
        for (var i = 0; i < 40; i++)
        {
            await AddAsync(a, $"f{i:D2}", i);
        }

        await b.Puller.PullOperationsAsync(Link(a), CancellationToken.None);
        RemoveEntryBehindTheLog(b.Database, "f17");
        Assert.NotEqual(Digest(a), Digest(b));

        var applied = await b.Puller.RepairDriftAsync(Link(a), CancellationToken.None);

        Assert.Equal(0, applied);
        Assert.Equal(Digest(a), Digest(b));
        Assert.Equal(0, await b.Puller.RepairDriftAsync(Link(a), CancellationToken.None));
    }

    [Fact]
    public async Task PullOperationsAsync_MalformedOperation_ThrowsAndAppliesNothing()
    {
        var a = Open(1);
        var b = Open(2);
        await AddAsync(a, "x", 1);
        var link = Link(a);
        link.Tamper = answer =>
        {
            answer.OperationsResponse.Operations[0].Path = "../escape";
            return answer;
        };

        var error = await Assert.ThrowsAsync<PeerMisbehavedException>(() => b.Puller.PullOperationsAsync(link, CancellationToken.None));

        Assert.Equal(a.Device, error.Peer);
        Assert.Equal(0, Digest(b).Count);
    }

    [Fact]
    public async Task PullOperationsAsync_AnswerOfAnotherKind_ThrowsMisbehaved()
    {
        var a = Open(1);
        var b = Open(2);
        var link = Link(a);
        link.Tamper = _ => new PeerFrame { Pong = new Pong { Nonce = 1 } };

        await Assert.ThrowsAsync<PeerMisbehavedException>(() => b.Puller.PullOperationsAsync(link, CancellationToken.None));
    }

    [Fact]
    public async Task PullOperationsAsync_ErrorReply_ThrowsRequestFailed()
    {
        var a = Open(1);
        var b = Open(2);
        var link = Link(a);
        link.Tamper = _ => new PeerFrame { Error = new ErrorReply { Code = ErrorCode.Busy, Message = "later" } };

        var error = await Assert.ThrowsAsync<PeerRequestFailedException>(() => b.Puller.PullOperationsAsync(link, CancellationToken.None));

        Assert.Equal(ErrorCode.Busy, error.Code);
    }

    [Fact]
    public void Answer_BadVersionVector_IsBadRequest()
    {
        var a = Open(1);
        var request = new PeerFrame { OperationsRequest = new OperationsRequest { Have = new Isg.Protocol.Peers.Wire.VersionVector() } };
        request.OperationsRequest.Have.Entries.Add(new DeviceSequence { DeviceId = ByteString.CopyFrom(1, 2, 3), Sequence = 4 });

        var answer = a.Responder.Answer(request);

        Assert.Equal(ErrorCode.BadRequest, answer!.Error.Code);
        Assert.Null(a.Responder.Answer(new PeerFrame { Ping = new Ping() }));
    }
}

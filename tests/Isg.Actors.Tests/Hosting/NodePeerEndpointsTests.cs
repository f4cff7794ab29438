using System.Net;
using Isg.Actors.Catalog;
using Isg.Actors.Discovery;
using Isg.Actors.Hosting;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.TestKit;

namespace Isg.Actors.Tests.Hosting;

/// <summary>
/// Peers known only by address (a static HOST:PORT without a device id, as `isg node run --peer` and a Kubernetes
/// headless Service give them), between whole nodes on 127.0.0.1: the device is learned in the handshake and kept only
/// when trusted, a refused address is dialled again only after growing delays, and this node's own address is left alone.
/// </summary>
public sealed class NodePeerEndpointsTests
{
    private static readonly TimeSpan s_within = NetworkNode.Within;

    private static StaticPeer Anonymous(IPEndPoint endpoint) => new(null, endpoint.Address.ToString(), endpoint.Port);

    private static bool IsDialFailure(LogEntry entry, IPEndPoint endpoint, int failures) =>
        entry.Message.StartsWith($"peer address {PeerAddress.Format(endpoint)}: dial", StringComparison.Ordinal)
        && Equals(entry.Values.GetValueOrDefault("Failures"), failures);

    [Fact]
    public async Task StaticPeerWithoutId_SharedClusterSecret_ConnectsLearnsTheDeviceAndSyncs()
    {
        await using var a = await NetworkNode.StartAsync("a", prepare: NetworkNode.UseClusterSecret);
        var address = await a.ListenAsync();
        await using var b = await NetworkNode.StartAsync("b", a, NetworkNode.UseClusterSecret, o => o with { StaticPeers = [Anonymous(address)] });

        await b.Subscribe().FishForMessageAsync(e => e is PeerConnected c && c.Device == a.Network.Device, s_within);
        var contents = TestFiles.Random(50_000, seed: 7);
        await a.AddAsync("shared.bin", contents);
        await b.UntilAsync(() => b.HasFile("shared.bin"));

        Assert.Equal(contents, await b.ReadAsync("shared.bin"));
        var status = await b.PeersStatusAsync();
        var endpoint = Assert.Single(status.Endpoints);
        Assert.Equal(address, endpoint.Endpoint);
        Assert.Equal(a.Network.Device, endpoint.Device);
        Assert.False(endpoint.IsSelf);
        Assert.True(endpoint.Active);
        var peer = Assert.Single(status.Peers, p => p.Device == a.Network.Device);
        Assert.Equal(PeerState.Connected, peer.State);
        Assert.Contains(PeerAddress.Format(address), peer.Addresses);
    }

    [Fact]
    public async Task StaticPeerWithoutId_PairedBothWays_ConnectsAndSyncs()
    {
        await using var a = await NetworkNode.StartAsync("a");
        var address = await a.ListenAsync();
        await using var b = await NetworkNode.StartAsync("b", a, repository =>
        {
            using var identity = repository.LoadIdentity();
            PeerAdministration.Add(a.Repository, identity.DeviceId, "b", []);
            PeerAdministration.Add(repository, a.Network.Device, "a", []);
        }, o => o with { StaticPeers = [Anonymous(address)] });

        await b.Subscribe().FishForMessageAsync(e => e is PeerConnected c && c.Device == a.Network.Device, s_within);
        await a.AddAsync("paired.bin", TestFiles.Random(20_000, seed: 8));
        await b.UntilAsync(() => b.HasFile("paired.bin"));

        Assert.Equal(TestFiles.Random(20_000, seed: 8), await b.ReadAsync("paired.bin"));
        Assert.Equal(PeerTrust.Paired, Assert.Single((await b.PeersStatusAsync()).Peers).Trust);
    }

    [Fact]
    public async Task StaticPeerWithoutId_UntrustedNode_RefusedAndDialledAgainOnlyAfterGrowingDelays()
    {
        // U holds another repository and no secret: it refuses B in the handshake, after TLS has shown who it is.
        await using var u = await NetworkNode.StartAsync("u");
        var address = await u.ListenAsync();
        var time = new WatchedTimeProvider();

        // B's own periodic work is slowed down, so that the only timers in the range of the backoff are its dials.
        await using var b = await NetworkNode.StartAsync("b", prepare: NetworkNode.UseClusterSecret, configure: o => o with
        {
            StaticPeers = [Anonymous(address)],
            Sync = o.Sync with { TickInterval = TimeSpan.FromHours(1) },
            Swarm = o.Swarm with { PollInterval = TimeSpan.FromHours(1) },
        }, timeProvider: time);
        var options = b.Options.Peers;

        var timersBefore = 0;
        for (var failures = 1; failures <= 3; failures++)
        {
            var n = failures;
            await b.Logs.WaitForAsync(e => IsDialFailure(e, address, n), s_within);

            // The next dial waits the backoff of this many failures in a row: nothing happens a tick before it is due.
            var least = options.ReconnectDelay(failures, 0);
            var most = options.ReconnectDelay(failures, 1);
            var due = await time.WaitForTimerAsync(d => d >= least && d <= most, timersBefore, s_within);
            time.Clock.Advance(due - TimeSpan.FromTicks(1));
            await Assert.ThrowsAsync<TimeoutException>(() => b.Logs.WaitForAsync(e => IsDialFailure(e, address, n + 1), TimeSpan.FromMilliseconds(300)));
            var endpoint = Assert.Single((await b.PeersStatusAsync()).Endpoints);
            Assert.Equal(failures, endpoint.Failures);
            Assert.Equal(u.Network.Device, endpoint.Device);
            Assert.False(endpoint.Active);
            timersBefore = time.Created;
            time.Clock.Advance(TimeSpan.FromTicks(1));
        }

        await b.Logs.WaitForAsync(e => IsDialFailure(e, address, 4), s_within);
        Assert.DoesNotContain((await b.PeersStatusAsync()).Peers, p => p.State == PeerState.Connected);
        Assert.Empty(await u.Network.Peers.AskAsync<IPeersCommand, IReadOnlyList<Isg.Actors.Peers.Transport.IPeerSession>>(
            r => new GetConnectedPeers(r), s_within, CancellationToken.None));
    }

    [Fact]
    public async Task OwnAddressAmongPeers_RecognisedInTheHandshakeAndNeverDialledAgain()
    {
        // Listening on every address: 127.0.0.2 reaches this node without being one of its interface addresses, as a
        // Service address or a NAT does, so only the handshake can tell that it is this node.
        var time = new WatchedTimeProvider();
        await using var a = await NetworkNode.StartAsync("a", prepare: NetworkNode.UseClusterSecret,
            configure: o => o with { Peers = o.Peers with { ListenEndPoint = new IPEndPoint(IPAddress.Any, 0) } }, timeProvider: time);
        var own = new IPEndPoint(IPAddress.Parse("127.0.0.2"), (await a.ListenAsync()).Port);
        var events = a.Subscribe();

        a.Network.Discovery!.Tell(new SetStaticPeers([Anonymous(own)]));
        await a.Logs.WaitForAsync(e => e.Message.Contains("is this node itself", StringComparison.Ordinal), s_within);

        // Neither the next resolution nor time passing dials it again.
        a.Network.Discovery.Tell(new ResolveNow());
        time.Clock.Advance(TimeSpan.FromSeconds(30));
        var endpoint = Assert.Single((await a.PeersStatusAsync()).Endpoints);
        Assert.True(endpoint.IsSelf);
        Assert.Equal(a.Network.Device, endpoint.Device);
        Assert.False(endpoint.Active);
        await Assert.ThrowsAsync<TimeoutException>(() => a.Logs.WaitForAsync(e => IsDialFailure(e, own, 1), TimeSpan.FromMilliseconds(300)));
        Assert.Single(a.Logs.Entries, e => e.Message.Contains("is this node itself", StringComparison.Ordinal));
        Assert.DoesNotContain(events.Received, e => e is PeerConnected);
    }
}

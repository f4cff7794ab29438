using System.Net;
using System.Net.Sockets;
using Isg.Actors.Discovery;
using Isg.Actors.Hosting;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;
using Isg.Protocol.Peers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Hosting;

/// <summary>
/// Faults injected into the network children of a real node (/node/sync, /node/swarm, /node/peers, /node/discovery):
/// each failure is logged once with the actor's path, the child is restarted after the runtime's backoff, and the node
/// keeps syncing with a peer over real sockets without losing anything.
/// </summary>
public sealed class NodeSupervisionTests
{
    private static readonly TimeSpan s_within = NetworkNode.Within;

    public static TheoryData<string> Children => ["sync", "swarm", "peers", "discovery"];

    // A message every network actor accepts and none handles: its handler throws, as a bug would.
    private sealed record Fault : ISyncCommand, ISwarmCommand, IPeersCommand, IDiscoveryCommand;

    private static void Inject(NodeNetwork network, string child)
    {
        switch (child)
        {
            case "sync":
                network.Sync.Tell(new Fault());
                break;
            case "swarm":
                network.Swarm.Tell(new Fault());
                break;
            case "peers":
                network.Peers.Tell(new Fault());
                break;
            default:
                network.Discovery!.Tell(new Fault());
                break;
        }
    }

    // Answered by the child's instance after the restart: user messages wait in the mailbox meanwhile.
    private static Task AnswerAsync(NodeNetwork network, string child, TimeSpan timeout) => child switch
    {
        "sync" => network.Sync.AskAsync<ISyncCommand, SyncStatus>(r => new GetSyncStatus(r), timeout, CancellationToken.None),
        "swarm" => network.Swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), timeout, CancellationToken.None),
        "peers" => network.Peers.AskAsync<IPeersCommand, PeersStatus>(r => new GetPeersStatus(r), timeout, CancellationToken.None),
        _ => network.Discovery!.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), timeout, CancellationToken.None),
    };

    // A, and B that knows A's device and address (a static peer with its id); both hold the cluster secret.
    private static async Task<(NetworkNode A, NetworkNode B)> StartPairAsync()
    {
        var a = await NetworkNode.StartAsync("a", prepare: NetworkNode.UseClusterSecret);
        var address = await a.ListenAsync();
        var b = await NetworkNode.StartAsync("b", a, NetworkNode.UseClusterSecret,
            o => o with { StaticPeers = [new StaticPeer(a.Network.Device, address.Address.ToString(), address.Port)] });
        await b.Subscribe().FishForMessageAsync(e => e is PeerConnected c && c.Device == a.Network.Device, s_within);
        return (a, b);
    }

    [Theory]
    [MemberData(nameof(Children))]
    public async Task Fault_InNetworkChild_LoggedOnceRestartedAndNodeKeepsSyncing(string child)
    {
        var (a, b) = await StartPairAsync();
        await using var nodeA = a;
        await using var nodeB = b;
        var before = TestFiles.Random(40_000, seed: 1);
        await a.AddAsync("before.bin", before);
        await b.UntilAsync(() => b.HasFile("before.bin"));
        var listening = await b.ListenAsync();

        Inject(b.Network, child);
        await AnswerAsync(b.Network, child, s_within);

        var failure = Assert.Single(b.Failures("/node/" + child));
        Assert.Contains($"restarting /node/{child} in", failure.Message, StringComparison.Ordinal);
        Assert.IsType<ArgumentException>(failure.Exception);
        Assert.Contains(nameof(Fault), failure.Exception!.Message, StringComparison.Ordinal);
        Assert.Empty(b.Failures("/node"));
        Assert.Equal(listening, await b.ListenAsync());

        // Still in the cluster: a later write on A reaches B, and every byte of both files reads back on B.
        var after = TestFiles.Random(40_000, seed: 2);
        await a.AddAsync("after.bin", after);
        await b.UntilAsync(() => b.HasFile("after.bin"));
        Assert.Equal(before, await b.ReadAsync("before.bin"));
        Assert.Equal(after, await b.ReadAsync("after.bin"));
        Assert.Single(b.Failures("/node/" + child));
        Assert.NotNull(await b.Node.GetSyncStatusAsync(syncNow: false, CancellationToken.None));
    }

    [Fact]
    public async Task Fault_PeersActorRestarted_SyncAndSwarmForgetItsClosedSessionsAndUseTheNewOne()
    {
        var (a, b) = await StartPairAsync();
        await using var nodeA = a;
        await using var nodeB = b;
        var events = b.Subscribe();
        var first = (PeerConnected)await events.FishForMessageAsync(e => e is PeerConnected, s_within);

        Inject(b.Network, "peers");
        await AnswerAsync(b.Network, "peers", s_within);
        var again = (PeerConnected)await b.Subscribe().FishForMessageAsync(e => e is PeerConnected c && c.Device == a.Network.Device, s_within);

        Assert.NotSame(first.Session, again.Session);
        await a.AddAsync("x.bin", TestFiles.Random(10_000, seed: 3));
        await b.UntilAsync(() => b.HasFile("x.bin"));
        var sync = await b.Node.GetSyncStatusAsync(syncNow: false, CancellationToken.None);
        var swarm = await b.Node.GetSwarmStatusAsync(CancellationToken.None);
        Assert.Equal(a.Network.Device, Assert.Single(sync!.Peers).Peer);
        Assert.Equal(a.Network.Device, Assert.Single(swarm!.Peers).Peer);
    }

    [Fact]
    public async Task Fault_Repeated_RestartDelaysGrowPerPolicyOnTheSystemClock()
    {
        var time = new WatchedTimeProvider();
        var a = await NetworkNode.StartAsync("a", timeProvider: time);
        await using var nodeA = a;
        var policy = NodeActor.NetworkStrategy;
        var previous = TimeSpan.Zero;
        for (var restart = 1; restart <= 3; restart++)
        {
            var n = restart;
            Inject(a.Network, "sync");
            var logged = await a.Logs.WaitForAsync(e => NetworkNode.IsFailure(e, "/node/sync") && Equals(e.Values.GetValueOrDefault("Restart"), n), s_within);

            var delay = Assert.IsType<TimeSpan>(logged.Values["Delay"]);
            var exponential = policy.MinBackoff * Math.Pow(2, restart - 1);
            Assert.InRange(delay, exponential, exponential * (1 + policy.RandomFactor));
            Assert.True(delay > previous);
            previous = delay;

            // The clock stands still until the restart timer exists; from then on the child restarts only once it is due.
            await time.WaitForTimerAsync(delay, s_within);
            var answer = AnswerAsync(a.Network, "sync", Timeout.InfiniteTimeSpan);
            time.Clock.Advance(delay - TimeSpan.FromTicks(1));
            await Assert.ThrowsAsync<TimeoutException>(() => answer.WaitAsync(TimeSpan.FromMilliseconds(200)));
            time.Clock.Advance(TimeSpan.FromTicks(1));
            await answer.WaitAsync(s_within);
        }

        Assert.Equal(3, a.Failures("/node/sync").Count);
        Assert.Empty(a.Failures("/node"));
        Assert.NotNull(await a.Node.GetNetworkAsync(CancellationToken.None));
    }

    [Fact]
    public async Task PeersCannotListen_NodeRunsOnWithoutThemAndTheyStartOnceThePortIsFree()
    {
        // Another program holds the peer port: the peers actor fails in its start hook, again at each restart.
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var time = new WatchedTimeProvider();
        var logs = new RecordingLoggerFactory();
        await using var a = await NetworkNode.StartAsync("a", timeProvider: time, logs: logs,
            configure: o => o with { Peers = o.Peers with { ListenEndPoint = new IPEndPoint(IPAddress.Loopback, port) } });

        var failure = await logs.WaitForAsync(e => NetworkNode.IsFailure(e, "/node/peers"), s_within);
        Assert.IsAssignableFrom<SocketException>(failure.Exception);

        // The node serves: an add and a read work, and /node itself never failed.
        var contents = TestFiles.Random(30_000, seed: 4);
        await a.AddAsync("while-offline.bin", contents);
        Assert.Equal(contents, await a.ReadAsync("while-offline.bin"));
        Assert.Empty(a.Failures("/node"));
        Assert.NotNull(a.Network.Discovery);

        // Once the port is free, the next restart listens on it.
        holder.Stop();
        var status = a.PeersStatusAsync();
        while (!status.IsCompleted)
        {
            var restarts = a.Failures("/node/peers").Count;
            var delay = (TimeSpan)a.Failures("/node/peers")[^1].Values["Delay"]!;
            await time.WaitForTimerAsync(delay, s_within);
            time.Clock.Advance(delay);
            var seen = 0;
            await Task.WhenAny(status, a.Logs.WaitForAsync(e => NetworkNode.IsFailure(e, "/node/peers") && ++seen > restarts, s_within));
        }

        Assert.Equal(port, (await status).ListenEndPoint!.Port);
    }
}

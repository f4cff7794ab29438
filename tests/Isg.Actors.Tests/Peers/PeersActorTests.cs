using System.Net;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Keys;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Peers;

/// <summary>Two or three <see cref="PeersActor"/>s in this process, each with its own catalogue, talking over 127.0.0.1.</summary>
public sealed class PeersActorTests
{
    private static readonly TimeSpan s_within = PeersNode.Within;

    [Fact]
    public async Task PairedWithAddress_Connect_PublishSessionsThatAnswerAndRecordTheConnection()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await PairAsync(listener: a, dialler: b);

            var atB = await b.ExpectConnectedAsync(a.DeviceId);
            var atA = await a.ExpectConnectedAsync(b.DeviceId);

            Assert.Equal(PeerRole.Dialler, atB.Session.Role);
            Assert.Equal(PeerRole.Acceptor, atA.Session.Role);
            Assert.Equal("alpha", atB.Session.RemoteName);
            var answer = await atB.Session.RequestAsync(new PeerFrame { BlockRequest = new BlockRequest { Offset = 99 } }, CancellationToken.None);
            Assert.Equal(99UL, answer.BlockResponse.Offset);
            Assert.Same(atA.Session, await a.SessionAsync(b.DeviceId));
            Assert.Null(await a.SessionAsync(a.DeviceId));

            var status = await a.StatusAsync();
            Assert.Equal(a.DeviceId, status.LocalDevice);
            Assert.NotEqual(0, status.ListenEndPoint!.Port);
            var peer = Assert.Single(status.Peers);
            Assert.Equal((b.DeviceId, PeerState.Connected, PeerTrust.Paired), (peer.Device, peer.State, peer.Trust));
            Assert.NotNull(a.Record(b.DeviceId)!.ConnectedSince);
            Assert.Contains(a.System.TopLevelActors, actor => actor.Path == "/peers");
        });
    }

    [Fact]
    public async Task LateSubscriber_GetsPeerConnectedForPeersAlreadyConnected()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await PairAsync(listener: a, dialler: b);
            var first = await a.ExpectConnectedAsync(b.DeviceId);

            var late = new Isg.TestKit.TestProbe<PeerEvent>("late");
            a.Peers.Tell(new SubscribePeerEvents(late));

            var replayed = await late.ExpectMessageAsync<PeerConnected>(s_within);
            Assert.Same(first.Session, replayed.Session);
        });
    }

    [Fact]
    public async Task ThreeNodes_PairedAll_EveryPairConnectedOnceAndAnswering()
    {
        using var key = RepositoryKey.Generate();
        var nodes = new[] { PeersNode.Create("a", key), PeersNode.Create("b", key), PeersNode.Create("c", key) };
        try
        {
            // The lower id of each pair knows the other's address, so each pair has one dial.
            foreach (var node in nodes)
            {
                foreach (var other in nodes.Where(n => n != node))
                {
                    await node.PairAsync(other, withAddress: node.DeviceId < other.DeviceId);
                }
            }

            foreach (var node in nodes)
            {
                await node.ExpectConnectedToAllAsync(nodes.Where(n => n != node).Select(n => n.DeviceId));
            }

            foreach (var node in nodes)
            {
                var sessions = await node.ConnectedAsync();
                Assert.Equal(2, sessions.Count);
                foreach (var session in sessions)
                {
                    Assert.Equal(node.DeviceId < session.Remote ? PeerRole.Dialler : PeerRole.Acceptor, session.Role);
                    var answer = await session.RequestAsync(new PeerFrame { BlockRequest = new BlockRequest { Offset = 5 } }, CancellationToken.None);
                    Assert.Equal(5UL, answer.BlockResponse.Offset);
                }
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DestroyAsync();
            }
        }
    }

    [Fact]
    public async Task BothDialEachOther_EndWithOneConnectionBothSidesShare()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await a.PairAsync(b, withAddress: true);
            await b.PairAsync(a, withAddress: true);
            await a.ExpectConnectedAsync(b.DeviceId);
            await b.ExpectConnectedAsync(a.DeviceId);

            // Duplicates, if both dials got through, are closed within a moment: wait until the events stop.
            await QuietAsync(a, b);

            var atA = Assert.Single(await a.ConnectedAsync());
            var atB = Assert.Single(await b.ConnectedAsync());
            Assert.NotEqual(atA.Role, atB.Role);
            Assert.True(atA.IsOpen && atB.IsOpen);
        });
    }

    [Fact]
    public async Task DuplicateConnection_TheOneDialledByTheLowerIdWinsWhicheverCameFirst()
    {
        using var key = RepositoryKey.Generate();
        foreach (var canonicalFirst in new[] { false, true })
        {
            var a = PeersNode.Create("alpha", key);
            await using var other = new TestPeerNode(key.ComputeRepositoryId(), name: "other");
            try
            {
                other.Trust.Pair(a.DeviceId);
                other.Listen(new DelegateHandler());
                await a.PairAsync(other.DeviceId, "other", null);

                // One connection dialled by `other`, one dialled "by a" (a transport with a's identity, handed to a's
                // actor as its own dial): which one is canonical depends on whose id is lower.
                var aTransport = new PeerTransport(a.Identity, key.ComputeRepositoryId(), new CatalogPeerTrust(a.Catalog), PeerTransportOptions.Default,
                    Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                var aDialled = await aTransport.DialAsync(other.EndPoint, other.DeviceId, CancellationToken.None);
                var otherSide = await other.NextAcceptedAsync(s_within);
                var canonicalIsADialled = a.DeviceId < other.DeviceId;

                async Task<PeerConnection> OtherDialsAsync() => await other.DialAsync(await a.ListenAsync(), new DelegateHandler());
                PeerConnection otherDialled;
                if (canonicalFirst == canonicalIsADialled)
                {
                    a.Peers.Tell(new DialEnded(other.DeviceId, aDialled, null, null));
                    await a.ExpectConnectedAsync(other.DeviceId);
                    otherDialled = await OtherDialsAsync();
                }
                else
                {
                    otherDialled = await OtherDialsAsync();
                    await a.ExpectConnectedAsync(other.DeviceId);
                    a.Peers.Tell(new DialEnded(other.DeviceId, aDialled, null, null));
                }

                // The loser is closed by a with DUPLICATE_CONNECTION, seen by `other` as a remote close.
                var (winner, loser) = canonicalIsADialled ? (otherSide, otherDialled) : (otherDialled, otherSide);
                var lost = await loser.Completion.WaitAsync(s_within);
                Assert.Equal((PeerCloseOrigin.Remote, CloseReason.DuplicateConnection), (lost.Origin, lost.Reason));
                Assert.True(winner.IsOpen);
                var kept = Assert.Single(await a.ConnectedAsync());
                Assert.Equal(canonicalIsADialled ? PeerRole.Dialler : PeerRole.Acceptor, kept.Role);
                if (canonicalFirst)
                {
                    // The first connection stays: no event beyond the first PeerConnected.
                    Assert.DoesNotContain(a.Events.Received, e => e is PeerDisconnected);
                }
                else
                {
                    var replaced = await a.ExpectDisconnectedAsync(other.DeviceId);
                    Assert.Equal(CloseReason.DuplicateConnection, replaced.Close.Reason);
                    Assert.Same(kept, (await a.ExpectConnectedAsync(other.DeviceId)).Session);
                }
            }
            finally
            {
                await a.DestroyAsync();
            }
        }
    }

    [Fact]
    public async Task OnlyOneSidePaired_NeverConnectsAndTheDiallerSeesWhy()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await b.PairAsync(a, withAddress: true);

            await a.Events.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(500));
            Assert.Empty(b.Events.Received);
            var peer = Assert.Single((await b.StatusAsync()).Peers);
            Assert.NotEqual(PeerState.Connected, peer.State);
            Assert.Contains("UntrustedDevice", peer.LastError ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SameClusterSecret_ConnectWithoutPairingAndRecordEachOtherAsClusterTrusted()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            foreach (var node in new[] { a, b })
            {
                using (var writer = node.Catalog.CreateWriter())
                {
                    writer.SetClusterSecretBox(ClusterSecret.Seal(key, "our home lab secret"));
                }

                Assert.True((await node.ReloadAsync()).ClusterSecret);
            }

            b.Peers.Tell(new PeerAddressesFound(a.DeviceId, [await a.ListenAsync()]));

            var atB = await b.ExpectConnectedAsync(a.DeviceId);
            var atA = await a.ExpectConnectedAsync(b.DeviceId);
            Assert.Equal(PeerTrust.Cluster, atB.Session.Trust);
            Assert.Equal(PeerTrust.Cluster, atA.Session.Trust);
            Assert.Equal((PeerTrust.Cluster, "alpha"), (b.Record(a.DeviceId)!.Trust, b.Record(a.DeviceId)!.Name));
            Assert.Equal((PeerTrust.Cluster, "beta"), (a.Record(b.DeviceId)!.Trust, a.Record(b.DeviceId)!.Name));
        });
    }

    [Fact]
    public async Task DifferentClusterSecrets_NeverConnect()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            foreach (var (node, secret) in new[] { (a, "our home lab secret"), (b, "our home lab secreT") })
            {
                using (var writer = node.Catalog.CreateWriter())
                {
                    writer.SetClusterSecretBox(ClusterSecret.Seal(key, secret));
                }

                await node.ReloadAsync();
            }

            b.Peers.Tell(new PeerAddressesFound(a.DeviceId, [await a.ListenAsync()]));

            await a.Events.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(500));
            Assert.Empty(b.Events.Received);
            Assert.Null(a.Record(b.DeviceId));
            Assert.Null(b.Record(a.DeviceId));
        });
    }

    [Fact]
    public async Task OtherRepository_NeverConnects()
    {
        using var key = RepositoryKey.Generate();
        using var otherKey = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, otherKey, async (a, b) =>
        {
            await PairAsync(listener: a, dialler: b);

            await a.Events.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(500));
            Assert.Contains("RepositoryMismatch", Assert.Single((await b.StatusAsync()).Peers).LastError ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ListenerRestarts_DiallerReconnects()
    {
        using var key = RepositoryKey.Generate();
        var a = PeersNode.Create("alpha", key);
        var b = PeersNode.Create("beta", key);
        PeersNode? restarted = null;
        try
        {
            await PairAsync(listener: a, dialler: b);
            var first = await b.ExpectConnectedAsync(a.DeviceId);
            var port = (await a.ListenAsync()).Port;

            await a.StopAsync();
            var lost = await b.ExpectDisconnectedAsync(a.DeviceId);
            Assert.Same(first.Session, lost.Session);
            Assert.Equal((PeerCloseOrigin.Remote, CloseReason.ShuttingDown), (lost.Close.Origin, lost.Close.Reason));

            restarted = a.Restart(port);
            var second = await b.ExpectConnectedAsync(a.DeviceId);
            Assert.NotSame(first.Session, second.Session);
            await restarted.ExpectConnectedAsync(b.DeviceId);
            Assert.Equal(7UL, (await second.Session.RequestAsync(new PeerFrame { BlockRequest = new BlockRequest { Offset = 7 } }, CancellationToken.None)).BlockResponse.Offset);
        }
        finally
        {
            await b.DestroyAsync();
            await (restarted ?? a).DestroyAsync();
        }
    }

    [Fact]
    public async Task DiscoveredAddressDialled_RestartWithoutDiscovery_DialsTheRememberedAddress()
    {
        using var key = RepositoryKey.Generate();
        var a = PeersNode.Create("alpha", key);
        var b = PeersNode.Create("beta", key);
        PeersNode? restarted = null;
        try
        {
            // Paired both ways, but neither knows the other's address: b finds a's by discovery only.
            await a.PairAsync(b, withAddress: false);
            await b.PairAsync(a, withAddress: false);
            var aAddress = await a.ListenAsync();
            b.Peers.Tell(new PeerAddressesFound(a.DeviceId, [aAddress]));
            await b.ExpectConnectedAsync(a.DeviceId);

            // The address is written while the dial's end is handled; a later question is answered after that.
            var status = await b.StatusAsync();
            Assert.Contains(PeerAddress.Format(aAddress), Assert.Single(status.Peers).Addresses);
            var record = b.Record(a.DeviceId)!;
            Assert.Equal([PeerAddress.Format(aAddress)], record.LearnedAddresses);
            Assert.Empty(record.Addresses);

            await b.StopAsync();
            await a.ExpectDisconnectedAsync(b.DeviceId);
            restarted = b.Restart(0);

            var again = await restarted.ExpectConnectedAsync(a.DeviceId);
            Assert.Equal(PeerRole.Dialler, again.Session.Role);
            Assert.Equal(aAddress, again.Session.RemoteEndPoint);
        }
        finally
        {
            await a.DestroyAsync();
            await (restarted ?? b).DestroyAsync();
        }
    }

    [Fact]
    public async Task EndpointDialledReachesPairedDevice_RemembersTheEndpointForIt()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await a.PairAsync(b, withAddress: false);
            await b.PairAsync(a, withAddress: false);
            var aAddress = await a.ListenAsync();

            b.Peers.Tell(new PeerEndpointsFound("test", [aAddress]));
            await b.ExpectConnectedAsync(a.DeviceId);

            // As above: the status answer comes after the dial's end was handled.
            await b.StatusAsync();
            Assert.Equal([PeerAddress.Format(aAddress)], b.Record(a.DeviceId)!.LearnedAddresses);
        });
    }

    [Fact]
    public async Task PeerRemovedFromTheTable_ConnectionClosedAndTrafficRecorded()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await PairAsync(listener: a, dialler: b);
            var atA = await a.ExpectConnectedAsync(b.DeviceId);
            var atB = await b.ExpectConnectedAsync(a.DeviceId);
            for (var i = 0; i < 10; i++)
            {
                await atB.Session.RequestAsync(new PeerFrame { BlockRequest = new BlockRequest { Offset = (ulong)i } }, CancellationToken.None);
            }

            using (var writer = a.Catalog.CreateWriter())
            {
                Assert.True(writer.RemovePeer(b.DeviceId));
            }

            await a.ReloadAsync();
            var closedAtA = await a.ExpectDisconnectedAsync(b.DeviceId);
            var closedAtB = await b.ExpectDisconnectedAsync(a.DeviceId);

            Assert.Equal((PeerCloseOrigin.Local, CloseReason.UntrustedDevice), (closedAtA.Close.Origin, closedAtA.Close.Reason));
            Assert.Equal((PeerCloseOrigin.Remote, CloseReason.UntrustedDevice), (closedAtB.Close.Origin, closedAtB.Close.Reason));
            var record = b.Record(a.DeviceId)!;
            Assert.Null(record.ConnectedSince);
            Assert.NotNull(record.LastSeen);
            Assert.True(record.BytesOut >= atB.Session.BytesSent - 200 && record.BytesOut > 0, $"{record.BytesOut} of {atB.Session.BytesSent}");
            Assert.True(record.BytesIn > 0);
            Assert.Null(a.Record(b.DeviceId));
        });
    }

    [Fact]
    public async Task NodeStops_ConnectionsClosedAndTableSaysNotConnected()
    {
        using var key = RepositoryKey.Generate();
        await WithAlphaBetaAsync(key, async (a, b) =>
        {
            await PairAsync(listener: a, dialler: b);
            var atB = await b.ExpectConnectedAsync(a.DeviceId);

            await b.StopAsync();

            Assert.False(atB.Session.IsOpen);
            Assert.Null(b.Record(a.DeviceId)!.ConnectedSince);
            Assert.True(b.Record(a.DeviceId)!.BytesIn > 0);
            await a.ExpectDisconnectedAsync(b.DeviceId);
        });
    }

    [Fact]
    public void ReconnectDelay_DoublesUpToTheMaximumWithJitter()
    {
        var options = new PeersOptions { ReconnectMinDelay = TimeSpan.FromSeconds(1), ReconnectMaxDelay = TimeSpan.FromSeconds(10), ReconnectJitter = 0.5 };

        Assert.Equal(TimeSpan.FromSeconds(1), options.ReconnectDelay(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReconnectDelay(2, 0));
        Assert.Equal(TimeSpan.FromSeconds(8), options.ReconnectDelay(4, 0));
        Assert.Equal(TimeSpan.FromSeconds(10), options.ReconnectDelay(5, 0));
        Assert.Equal(TimeSpan.FromSeconds(10), options.ReconnectDelay(1000, 0));
        Assert.Equal(TimeSpan.FromSeconds(3), options.ReconnectDelay(2, 1));
        Assert.InRange(options.ReconnectDelay(3, 0.5), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public void PeerAddress_TryParse_HostsPortsAndErrors()
    {
        Assert.True(PeerAddress.TryParse("10.0.0.2:7000", out var ip, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7000), ip);
        Assert.True(PeerAddress.TryParse("10.0.0.2", out var noPort, out _));
        Assert.Equal(PeersOptions.DefaultPort, ((IPEndPoint)noPort).Port);
        Assert.True(PeerAddress.TryParse("[::1]:9", out var v6, out _));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9), v6);
        Assert.True(PeerAddress.TryParse("nas.local:7420", out var dns, out _));
        Assert.Equal(new DnsEndPoint("nas.local", 7420), dns);
        Assert.Equal("nas.local:7420", PeerAddress.Format(dns));
        Assert.Equal("[::1]:9", PeerAddress.Format(v6));
        foreach (var bad in new[] { "", "host:0", "host:70000", "host:x", "bad host:1", ":5" })
        {
            Assert.False(PeerAddress.TryParse(bad, out _, out var error), bad);
            Assert.NotEmpty(error);
        }
    }

    /// <summary>Runs <paramref name="test"/> on nodes "alpha" and "beta" of one repository, destroying both after.</summary>
    private static Task WithAlphaBetaAsync(RepositoryKey key, Func<PeersNode, PeersNode, Task> test) => WithAlphaBetaAsync(key, key, test);

    /// <summary>Runs <paramref name="test"/> on nodes "alpha" (of <paramref name="alphaKey"/>) and "beta" (of <paramref name="betaKey"/>), destroying both after.</summary>
    private static async Task WithAlphaBetaAsync(RepositoryKey alphaKey, RepositoryKey betaKey, Func<PeersNode, PeersNode, Task> test)
    {
        var a = PeersNode.Create("alpha", alphaKey);
        var b = PeersNode.Create("beta", betaKey);
        try
        {
            await test(a, b);
        }
        finally
        {
            await b.DestroyAsync();
            await a.DestroyAsync();
        }
    }

    /// <summary>Pairs both nodes with each other; only <paramref name="dialler"/> knows the other's address.</summary>
    private static async Task PairAsync(PeersNode listener, PeersNode dialler)
    {
        await listener.PairAsync(dialler, withAddress: false);
        await dialler.PairAsync(listener, withAddress: true);
    }

    private static async Task QuietAsync(params PeersNode[] nodes)
    {
        var quiet = TimeSpan.FromMilliseconds(300);
        foreach (var node in nodes)
        {
            while (true)
            {
                try
                {
                    await node.Events.ExpectMessageAsync(quiet);
                }
                catch (Xunit.Sdk.XunitException)
                {
                    break;
                }
            }
        }
    }
}

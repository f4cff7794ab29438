using System.Net;
using Isg.Actors.Discovery;
using Isg.Actors.Runtime;
using Isg.Protocol.Discovery;
using Isg.Protocol.Peers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Discovery;

public sealed class DiscoveryActorTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(10);
    private static readonly DnsName s_service = DnsName.Parse("_isg._tcp.local");

    // RFC timings shortened a hundredfold or so: a whole probe-announce-browse cycle takes well under a second.
    private static readonly MdnsOptions s_fast = new()
    {
        ProbeDelayMax = TimeSpan.FromMilliseconds(10),
        ProbeInterval = TimeSpan.FromMilliseconds(20),
        AnnounceInterval = TimeSpan.FromMilliseconds(50),
        QueryDelayMin = TimeSpan.FromMilliseconds(1),
        QueryDelayMax = TimeSpan.FromMilliseconds(5),
        QueryInterval = TimeSpan.FromMilliseconds(100),
        ResponseDelayMin = TimeSpan.FromMilliseconds(1),
        ResponseDelayMax = TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public async Task TwoNodes_FindEachOther_StopSaysGoodbye_PeerLost()
    {
        var network = new InMemoryMdnsNetwork();
        await using var system = new ActorSystem("test");
        var (a, b) = (Id(1), Id(2));
        var eventsA = new TestProbe<IDiscoveryEvent>("a");
        var eventsB = new TestProbe<IDiscoveryEvent>("b");
        var nodeA = system.Spawn("a", () => new DiscoveryActor(MdnsOptions(a, network, "10.0.0.1", 7421), eventsA));
        var nodeB = system.Spawn("b", () => new DiscoveryActor(MdnsOptions(b, network, "10.0.0.2", 7422), eventsB));

        var seenByA = (PeerAddressesFound)await eventsA.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal(b, seenByA.Id);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7422)], seenByA.Endpoints);
        Assert.Equal(DiscoverySource.Mdns, seenByA.Source);
        var seenByB = (PeerAddressesFound)await eventsB.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal(a, seenByB.Id);
        Assert.Contains(eventsA.Received, m => m is ServiceAnnounced { Instance: var i } && i == $"{a.ShortId}._isg._tcp.local");

        var state = await nodeA.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), s_within, CancellationToken.None);
        Assert.True(state.MdnsRunning);
        Assert.Equal($"{a.ShortId}._isg._tcp.local", state.AnnouncedInstance);
        var peer = Assert.Single(state.Peers);
        Assert.Equal(b, peer.Id);
        Assert.Equal($"{b.ShortId}._isg._tcp.local", peer.Instance);

        await system.StopAsync(nodeB);
        var lost = (PeerAddressesLost)await eventsA.FishForMessageAsync(m => m is PeerAddressesLost, s_within);
        Assert.Equal(b, lost.Id);
        var goodbye = network.Sent.Last(s => s.From.Address.Equals(IPAddress.Parse("10.0.0.2")));
        Assert.True(goodbye.Message.IsResponse);
        Assert.NotEmpty(goodbye.Message.Answers);
        Assert.All(goodbye.Message.Answers, r => Assert.Equal(0u, r.Ttl));
        Assert.DoesNotContain(eventsA.Received, m => m is PeerAddressesFound f && f.Id == a);
        Assert.DoesNotContain(eventsB.Received, m => m is PeerAddressesFound f && f.Id == b);
    }

    [Fact]
    public async Task Services_WithoutValidId_Ignored()
    {
        var network = new InMemoryMdnsNetwork();
        await using var system = new ActorSystem("test");
        var events = new TestProbe<IDiscoveryEvent>();
        system.Spawn("a", () => new DiscoveryActor(MdnsOptions(null, network, "10.0.0.1", 7420), events));
        await network.WaitForAsync(s => s.Message.Questions.Any(q => q.Name == s_service), s_within);

        var good = Id(3);
        var host = new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5353);
        network.Inject(Announcement("NOID", [new("v", "1")]), host);
        network.Inject(Announcement("BADID", [new("id", "NOT-A-DEVICE-ID")]), host);
        network.Inject(Announcement("TYPO", [new("id", good.ToString()[..^1] + (good.ToString()[^1] == 'A' ? 'B' : 'A'))]), host);
        network.Inject(Announcement("GOOD", [new("id", good.ToString())]), host);

        var found = (PeerAddressesFound)await events.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal(good, found.Id);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.9"), 7420)], found.Endpoints);
        Assert.Single(events.Received.OfType<PeerAddressesFound>());
    }

    [Fact]
    public async Task SameDevice_TwoInstances_OneFoundWithBothEndpoints_LostOnlyWhenBothGo()
    {
        var network = new InMemoryMdnsNetwork();
        await using var system = new ActorSystem("test");
        var events = new TestProbe<IDiscoveryEvent>();
        system.Spawn("a", () => new DiscoveryActor(MdnsOptions(null, network, "10.0.0.1", 7420), events));
        await network.WaitForAsync(s => s.Message.Questions.Any(q => q.Name == s_service), s_within);

        var device = Id(4);
        network.Inject(Announcement("ONE", [new("id", device.ToString())], "10.0.0.7", 7001), new IPEndPoint(IPAddress.Parse("10.0.0.7"), 5353));
        await events.FishForMessageAsync(m => m is PeerAddressesFound { Endpoints.Count: 1 }, s_within);
        network.Inject(Announcement("TWO", [new("id", device.ToString())], "10.0.0.8", 7002), new IPEndPoint(IPAddress.Parse("10.0.0.8"), 5353));
        var both = (PeerAddressesFound)await events.FishForMessageAsync(m => m is PeerAddressesFound { Endpoints.Count: 2 }, s_within);
        Assert.Equal(device, both.Id);

        network.Inject(Goodbye(Announcement("ONE", [new("id", device.ToString())], "10.0.0.7", 7001)), new IPEndPoint(IPAddress.Parse("10.0.0.7"), 5353));
        var one = (PeerAddressesFound)await events.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.8"), 7002)], one.Endpoints);
        Assert.DoesNotContain(events.Received, m => m is PeerAddressesLost);

        network.Inject(Goodbye(Announcement("TWO", [new("id", device.ToString())], "10.0.0.8", 7002)), new IPEndPoint(IPAddress.Parse("10.0.0.8"), 5353));
        Assert.Equal(device, ((PeerAddressesLost)await events.FishForMessageAsync(m => m is PeerAddressesLost, s_within)).Id);
    }

    [Fact]
    public async Task StaticPeers_Resolved_ReportedByIdOrAsEndpoints_OwnDeviceSkipped()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<IDiscoveryEvent>();
        var (self, other) = (Id(1), Id(2));
        var options = new DiscoveryOptions
        {
            LocalDevice = self,
            EnableMdns = false,
            StaticPeers =
            [
                new StaticPeer(other, "10.1.2.3", 7420),
                new StaticPeer(other, "nas.lan", 7420),
                new StaticPeer(null, "box.lan", 7000),
                new StaticPeer(null, "gone.lan", 7000),
                new StaticPeer(self, "10.9.9.9", 7420),
            ],
            HostResolver = (host, _) => host switch
            {
                "nas.lan" => Task.FromResult(new[] { IPAddress.Parse("10.1.2.4") }),
                "box.lan" => Task.FromResult(new[] { IPAddress.Parse("10.5.5.5") }),
                _ => Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001)),
            },
            IsOwnEndpoint = _ => false,
        };
        var actor = system.Spawn("discovery", () => new DiscoveryActor(options, events));

        var byId = (PeerAddressesFound)await events.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal(other, byId.Id);
        Assert.Equal(DiscoverySource.Static, byId.Source);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.1.2.3"), 7420), new IPEndPoint(IPAddress.Parse("10.1.2.4"), 7420)], byId.Endpoints);
        var anonymous = (PeerEndpointsFound)await events.FishForMessageAsync(m => m is PeerEndpointsFound, s_within);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.5.5.5"), 7000)], anonymous.Endpoints);
        Assert.Equal(DiscoverySource.Static, anonymous.Source);

        actor.Tell(new SetStaticPeers([new StaticPeer(other, "10.1.2.8", 7421)]));
        var moved = (PeerAddressesFound)await events.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.1.2.8"), 7421)], moved.Endpoints);
        var cleared = (PeerEndpointsFound)await events.FishForMessageAsync(m => m is PeerEndpointsFound, s_within);
        Assert.Empty(cleared.Endpoints);
        Assert.DoesNotContain(events.Received, m => m is PeerAddressesFound f && f.Id == self);

        var state = await actor.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), s_within, CancellationToken.None);
        Assert.False(state.MdnsRunning);
        Assert.Null(state.MdnsError);
        Assert.Equal(other, Assert.Single(state.Peers).Id);
    }

    [Fact]
    public async Task DnsName_ResolvedPeriodically_ChangesReported_OwnEndpointLeftOut()
    {
        var addresses = new List<string> { "10.0.0.1", "10.0.0.2" };
        await using var server = new FakeDnsServer(q =>
        {
            if (q.Questions[0].Type != DnsRecordType.A || q.Questions[0].Name != DnsName.Parse("isg.default.svc.cluster.local"))
            {
                return FakeDnsServer.Answer(q, [], code: DnsResponseCode.NameError);
            }

            lock (addresses)
            {
                return FakeDnsServer.Answer(q, addresses.Select(a => new ARecord(q.Questions[0].Name, IPAddress.Parse(a), 5)));
            }
        });
        await using var system = new ActorSystem("test");
        var events = new TestProbe<IDiscoveryEvent>();
        var options = new DiscoveryOptions
        {
            EnableMdns = false,
            DnsName = "isg",
            DnsResolveInterval = TimeSpan.FromMilliseconds(100),
            Resolver = new ResolvConf([server.Endpoint], ["default.svc.cluster.local"], 5, TimeSpan.FromSeconds(2), 1),
            IsOwnEndpoint = e => e.Address.Equals(IPAddress.Parse("10.0.0.1")) && e.Port == 7420,
        };
        var actor = system.Spawn("discovery", () => new DiscoveryActor(options, events));

        var first = (PeerEndpointsFound)await events.ExpectMessageAsync(s_within);
        Assert.Equal(DiscoverySource.Dns, first.Source);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7420)], first.Endpoints);

        lock (addresses)
        {
            addresses.Add("10.0.0.3");
        }

        var second = (PeerEndpointsFound)await events.ExpectMessageAsync(s_within);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.2"), 7420), new IPEndPoint(IPAddress.Parse("10.0.0.3"), 7420)], second.Endpoints);

        // Unchanged answers are not reported again.
        await events.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(350));
        var state = await actor.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), s_within, CancellationToken.None);
        Assert.Equal(second.Endpoints, state.DnsEndpoints);
    }

    [Fact]
    public async Task TransportCannotOpen_MdnsOffWithReason_StaticPeersStillWork()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<IDiscoveryEvent>();
        var options = new DiscoveryOptions
        {
            LocalDevice = Id(1),
            TransportFactory = (_, _) => throw new InvalidOperationException("no interface with multicast"),
            StaticPeers = [new StaticPeer(Id(2), "10.1.2.3", 7420)],
        };
        var actor = system.Spawn("discovery", () => new DiscoveryActor(options, events));

        var found = (PeerAddressesFound)await events.ExpectMessageAsync(s_within);
        Assert.Equal(Id(2), found.Id);
        var state = await actor.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), s_within, CancellationToken.None);
        Assert.False(state.MdnsRunning);
        Assert.Equal("no interface with multicast", state.MdnsError);
    }

    [Fact]
    public async Task ManualClock_ProbesAndAnnouncementsFollowTheClock()
    {
        var network = new InMemoryMdnsNetwork();
        var clock = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = clock });
        var events = new TestProbe<IDiscoveryEvent>();
        var options = new DiscoveryOptions { LocalDevice = Id(1), Browse = false, TransportFactory = network.Join("10.0.0.1") };
        system.Spawn("discovery", () => new DiscoveryActor(options, events));

        static bool IsProbe((IPEndPoint, DnsMessage Message, IPEndPoint?) s) => !s.Message.IsResponse && s.Message.Authorities.Count > 0;
        await clock.WaitForPendingTimersAsync(1, s_within);
        Assert.Empty(network.Sent);
        for (var probe = 1; probe <= 3; probe++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            await network.WaitForAsync(s => network.Sent.Count(IsProbe) == probe, s_within);
            await clock.WaitForPendingTimersAsync(1, s_within);
        }

        Assert.DoesNotContain(network.Sent, s => s.Message.IsResponse);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        await network.WaitForAsync(s => s.Message.IsResponse, s_within);
        Assert.IsType<ServiceAnnounced>(await events.ExpectMessageAsync(s_within));
        await clock.WaitForPendingTimersAsync(1, s_within);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Single(network.Sent, s => s.Message.IsResponse);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await network.WaitForAsync(s => network.Sent.Count(m => m.Message.IsResponse) == 2, s_within);
        Assert.Equal(3, network.Sent.Count(IsProbe));
    }

    private static DeviceId Id(int seed) => DeviceId.FromCertificateDer(SampleData.RandomBytes(64, seed));

    private static DiscoveryOptions MdnsOptions(DeviceId? device, InMemoryMdnsNetwork network, string address, int port) => new()
    {
        LocalDevice = device,
        PeerPort = port,
        Mdns = s_fast,
        TransportFactory = network.Join(address),
    };

    private static DnsMessage Announcement(string label, IReadOnlyList<KeyValuePair<string, string?>> txt, string address = "10.0.0.9", ushort port = 7420)
    {
        var instance = s_service.Prepend(label);
        var host = DnsName.Parse($"host-{label.ToLowerInvariant()}.local");
        return new DnsMessage
        {
            Flags = DnsHeaderFlags.Response | DnsHeaderFlags.Authoritative,
            Answers =
            [
                new PtrRecord(s_service, instance, 4500),
                new SrvRecord(instance, 0, 0, port, host, 120, cacheFlush: true),
                TxtRecord.FromPairs(instance, txt, 4500, cacheFlush: true),
                new ARecord(host, IPAddress.Parse(address), 120, cacheFlush: true),
            ],
        };
    }

    private static DnsMessage Goodbye(DnsMessage announcement) =>
        new() { Flags = announcement.Flags, Answers = [.. announcement.Answers.Select(r => r.WithTtl(0))] };
}

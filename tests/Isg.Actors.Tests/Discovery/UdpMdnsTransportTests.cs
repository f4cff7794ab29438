using System.Net;
using Isg.Actors.Discovery;
using Isg.Actors.Runtime;
using Isg.Protocol.Peers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Discovery;

/// <summary>Real UDP multicast on port 5353, inside a network namespace of its own with only a loopback interface.</summary>
public sealed class UdpMdnsTransportTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(10);

    [NetworkNamespaceFact]
    public async Task Open_TwiceInANamespace_SharesPort5353_MulticastReachesBoth()
    {
        using var ns = NetworkNamespace.Create();
        await using var first = ns.Run(() => UdpMdnsTransport.Open(new MdnsTransportOptions()));
        await using var second = ns.Run(() => UdpMdnsTransport.Open(new MdnsTransportOptions()));
        Assert.Equal(["lo"], first.InterfaceNames);
        Assert.Contains(IPAddress.Loopback, first.LocalAddresses);

        byte[] payload = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        using var timeout = new CancellationTokenSource(s_within);
        var toSecond = second.ReceiveAsync(timeout.Token);
        var toFirst = first.ReceiveAsync(timeout.Token);
        await first.SendAsync(payload, null, timeout.Token);

        foreach (var received in new[] { await toSecond, await toFirst })
        {
            Assert.Equal(payload, received.Data.ToArray());
            Assert.Equal(UdpMdnsTransport.MdnsPort, received.Source.Port);
            Assert.Equal(IPAddress.Loopback, received.Source.Address);
            Assert.True(received.InterfaceIndex > 0);
        }
    }

    [NetworkNamespaceFact]
    public void Open_LoopbackWithoutMulticast_NoInterface()
    {
        using var ns = NetworkNamespace.Create();
        NetworkNamespace.Ip("netns", "exec", ns.Name, "ip", "link", "set", "lo", "multicast", "off");
        var failure = Assert.Throws<InvalidOperationException>(() => ns.Run(() => UdpMdnsTransport.Open(new MdnsTransportOptions())));
        Assert.Contains("no network interface with multicast", failure.InnerException!.Message, StringComparison.Ordinal);
    }

    [NetworkNamespaceFact]
    public async Task TwoDiscoveryActors_RealMulticast_FindEachOther_GoodbyeRemoves()
    {
        using var ns = NetworkNamespace.Create();
        await using var system = new ActorSystem("test");
        var (a, b) = (DeviceId.FromCertificateDer(SampleData.RandomBytes(64, 1)), DeviceId.FromCertificateDer(SampleData.RandomBytes(64, 2)));
        var eventsA = new TestProbe<IDiscoveryEvent>("a");
        var eventsB = new TestProbe<IDiscoveryEvent>("b");
        DiscoveryOptions Options(DeviceId device, int port) => new()
        {
            LocalDevice = device,
            PeerPort = port,
            TransportFactory = (options, logger) => ns.Run(() => UdpMdnsTransport.Open(options, logger)),
        };

        system.Spawn("a", () => new DiscoveryActor(Options(a, 7421), eventsA));
        var nodeB = system.Spawn("b", () => new DiscoveryActor(Options(b, 7422), eventsB));

        var seenByA = (PeerAddressesFound)await eventsA.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal(b, seenByA.Id);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 7422), seenByA.Endpoints);
        var seenByB = (PeerAddressesFound)await eventsB.FishForMessageAsync(m => m is PeerAddressesFound, s_within);
        Assert.Equal(a, seenByB.Id);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 7421), seenByB.Endpoints);

        await system.StopAsync(nodeB);
        Assert.Equal(b, ((PeerAddressesLost)await eventsA.FishForMessageAsync(m => m is PeerAddressesLost, s_within)).Id);
    }
}

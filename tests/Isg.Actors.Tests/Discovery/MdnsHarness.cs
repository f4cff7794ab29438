using System.Net;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;
using Isg.TestKit;

namespace Isg.Actors.Tests.Discovery;

/// <summary>
/// Drives mDNS engines on one manual clock without sleeping: each step moves the clock to the earliest wake-up, ticks
/// the engines due, and delivers every packet (encoded and decoded again) to every engine for multicast, or to the one
/// addressed; a sender hears its own multicast, as with IP_MULTICAST_LOOP. Records what was sent, when, and by whom.
/// </summary>
internal sealed class MdnsHarness
{
    public static readonly DnsName Service = DnsName.Parse("_isg._tcp.local");

    private readonly List<Node> _nodes = [];

    public ManualTimeProvider Clock { get; } = new();

    public MdnsHarness() => Start = Clock.GetUtcNow();

    public DateTimeOffset Start { get; }

    public List<Sent> Log { get; } = [];

    public List<(DateTimeOffset At, string Node, object Event)> Events { get; } = [];

    /// <summary>Datagrams from outside (a test playing another host), delivered to every engine at the next step.</summary>
    public List<(DnsMessage Message, IPEndPoint Source)> Injected { get; } = [];

    public static MdnsAnnouncement Announcement(string instance = "ABCDEFG", string host = "isg-abcdefg", ushort port = 7420, string id = "X") =>
        new(instance, host, port, [new("id", id), new("v", "1")]);

    public static MdnsDatagram Datagram(DnsMessage message, string address = "192.168.1.99", int port = 5353) =>
        new(message.ToArray(), new IPEndPoint(IPAddress.Parse(address), port), 2);

    public MdnsEngine Add(string name, string address, MdnsAnnouncement? announcement, bool browse, MdnsOptions? options = null, int seed = 1)
    {
        var engine = new MdnsEngine(options ?? new MdnsOptions(), Clock, new Random(seed), announcement, [IPAddress.Parse(address)], browse);
        _nodes.Add(new Node(name, new IPEndPoint(IPAddress.Parse(address), 5353), engine));
        return engine;
    }

    public void StartAll()
    {
        foreach (var node in _nodes)
        {
            node.Engine.Start();
        }

        Deliver();
    }

    /// <summary>Runs every wake-up up to <paramref name="duration"/> from now, then sets the clock there.</summary>
    public void Run(TimeSpan duration)
    {
        var end = Clock.GetUtcNow() + duration;
        Deliver();
        while (true)
        {
            var next = _nodes.Select(n => n.Engine.NextWakeUp).Where(w => w is not null).Min();
            if (next is null || next > end)
            {
                break;
            }

            var delta = next.Value - Clock.GetUtcNow();
            if (delta > TimeSpan.Zero)
            {
                Clock.Advance(delta);
            }

            foreach (var node in _nodes.Where(n => n.Engine.NextWakeUp <= Clock.GetUtcNow()))
            {
                node.Engine.Tick();
            }

            Deliver();
        }

        var rest = end - Clock.GetUtcNow();
        if (rest > TimeSpan.Zero)
        {
            Clock.Advance(rest);
        }

        Deliver();
    }

    public void Stop(MdnsEngine engine)
    {
        engine.Stop();
        Deliver();
    }

    public IEnumerable<Sent> SentBy(string node) => Log.Where(s => s.Node == node);

    public IEnumerable<T> EventsOf<T>(string node) => Events.Where(e => e.Node == node).Select(e => e.Event).OfType<T>();

    private void Deliver()
    {
        var delivered = true;
        while (delivered)
        {
            delivered = false;
            var injected = Injected.ToList();
            Injected.Clear();
            foreach (var (message, source) in injected)
            {
                foreach (var node in _nodes)
                {
                    node.Engine.Receive(new MdnsDatagram(message.ToArray(), source, 2));
                }

                delivered = true;
            }

            foreach (var node in _nodes)
            {
                foreach (var mdnsEvent in node.Engine.TakeEvents())
                {
                    Events.Add((Clock.GetUtcNow(), node.Name, mdnsEvent));
                }

                foreach (var packet in node.Engine.TakePackets())
                {
                    delivered = true;
                    var bytes = packet.Message.ToArray();
                    Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(bytes, out var decoded, out _));
                    Log.Add(new Sent(Clock.GetUtcNow(), node.Name, decoded!, packet.Destination));
                    foreach (var target in _nodes.Where(t => packet.Destination is null || t.Endpoint.Equals(packet.Destination)))
                    {
                        target.Engine.Receive(new MdnsDatagram(bytes, node.Endpoint, 2));
                    }
                }
            }
        }
    }

    public sealed record Sent(DateTimeOffset At, string Node, DnsMessage Message, IPEndPoint? Destination);

    private sealed record Node(string Name, IPEndPoint Endpoint, MdnsEngine Engine);
}

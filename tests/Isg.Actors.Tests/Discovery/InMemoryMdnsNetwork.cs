using System.Net;
using System.Threading.Channels;
using Isg.Actors.Discovery;
using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Actors.Tests.Discovery;

/// <summary>
/// A link for <see cref="IMdnsTransport"/>s in one process: a multicast send reaches every member (the sender too, as
/// with multicast loop), a unicast one the member with that address. Records every message sent, and lets a test send
/// as another host.
/// </summary>
internal sealed class InMemoryMdnsNetwork
{
    private readonly List<Member> _members = [];
    private readonly List<(IPEndPoint From, DnsMessage Message, IPEndPoint? To)> _sent = [];
    private readonly List<(Func<(IPEndPoint From, DnsMessage Message, IPEndPoint? To), bool> Predicate, TaskCompletionSource Signal)> _waiters = [];

    public IReadOnlyList<(IPEndPoint From, DnsMessage Message, IPEndPoint? To)> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>A transport factory for <see cref="DiscoveryOptions.TransportFactory"/> that joins this link as <paramref name="address"/>.</summary>
    public Func<MdnsTransportOptions, Microsoft.Extensions.Logging.ILogger, IMdnsTransport> Join(string address) =>
        (_, _) =>
        {
            var member = new Member(this, new IPEndPoint(IPAddress.Parse(address), 5353));
            lock (_members)
            {
                _members.Add(member);
            }

            return member;
        };

    /// <summary>Completes once a message matching <paramref name="predicate"/> was sent (at once if one was); fails the test after <paramref name="within"/>.</summary>
    public async Task WaitForAsync(Func<(IPEndPoint From, DnsMessage Message, IPEndPoint? To), bool> predicate, TimeSpan within)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sent)
        {
            if (_sent.Any(predicate))
            {
                return;
            }

            _waiters.Add((predicate, signal));
        }

        try
        {
            await signal.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"no matching mDNS message within {within}; {Sent.Count} sent");
        }
    }

    /// <summary>Sends <paramref name="message"/> from <paramref name="from"/> to every member.</summary>
    public void Inject(DnsMessage message, IPEndPoint from) => Deliver(from, message.ToArray(), null);

    private void Deliver(IPEndPoint from, byte[] bytes, IPEndPoint? to)
    {
        Assert.Equal(DecodeStatus.Done, DnsMessage.TryDecode(bytes, out var message, out _));
        lock (_sent)
        {
            _sent.Add((from, message!, to));
            foreach (var waiter in _waiters.Where(w => w.Predicate((from, message!, to))).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        List<Member> members;
        lock (_members)
        {
            members = [.. _members];
        }

        foreach (var member in members.Where(m => to is null || m.Endpoint.Equals(to)))
        {
            member.Queue.Writer.TryWrite(new MdnsDatagram(bytes, from, 1));
        }
    }

    private void Leave(Member member)
    {
        lock (_members)
        {
            _members.Remove(member);
        }
    }

    private sealed class Member(InMemoryMdnsNetwork network, IPEndPoint endpoint) : IMdnsTransport
    {
        public IPEndPoint Endpoint { get; } = endpoint;

        public Channel<MdnsDatagram> Queue { get; } = Channel.CreateUnbounded<MdnsDatagram>();

        public IReadOnlyList<IPAddress> LocalAddresses => [Endpoint.Address];

        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint? destination, CancellationToken cancellationToken)
        {
            network.Deliver(Endpoint, datagram.ToArray(), destination);
            return ValueTask.CompletedTask;
        }

        public ValueTask<MdnsDatagram> ReceiveAsync(CancellationToken cancellationToken) => Queue.Reader.ReadAsync(cancellationToken);

        public ValueTask DisposeAsync()
        {
            network.Leave(this);
            Queue.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}

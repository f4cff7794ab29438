using System.Net;

namespace Isg.Actors.Discovery;

/// <summary>
/// Where mDNS datagrams go and come from: UDP port 5353 on the chosen interfaces (<see cref="UdpMdnsTransport"/>), or an
/// in-memory network in tests. Send and receive may run at the same time; sends are not called concurrently.
/// </summary>
public interface IMdnsTransport : IAsyncDisposable
{
    /// <summary>The addresses of the interfaces in use: what the A and AAAA records announce.</summary>
    IReadOnlyList<IPAddress> LocalAddresses { get; }

    /// <summary>
    /// Sends one datagram: to the mDNS group (224.0.0.251 and ff02::fb) on every interface in use when
    /// <paramref name="destination"/> is null, else unicast. A send that fails (an interface went away) is dropped, not thrown.
    /// </summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint? destination, CancellationToken cancellationToken);

    /// <summary>The next datagram received; throws <see cref="OperationCanceledException"/> on cancellation or once disposed.</summary>
    ValueTask<MdnsDatagram> ReceiveAsync(CancellationToken cancellationToken);
}

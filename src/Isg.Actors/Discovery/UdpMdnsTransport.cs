using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Discovery;

/// <summary>
/// mDNS over UDP: one IPv4 socket (and one IPv6 socket where IPv6 works) bound to port 5353 with address reuse, so
/// avahi and other responders on the host share the port; joined to 224.0.0.251 (ff02::fb) on each chosen interface;
/// multicast loop on (other processes on this host hear us) and IP TTL 255 (RFC 6762 §11). Multicast sends go out
/// each interface in turn. Received datagrams carry the interface index (IP_PKTINFO). Sockets belong to the network
/// namespace of the thread that calls <see cref="Open"/>, which does only synchronous work, so a test may call it on a
/// thread it moved into another namespace without that thread starting any other.
/// </summary>
public sealed class UdpMdnsTransport : IMdnsTransport
{
    /// <summary>The mDNS port.</summary>
    public const int MdnsPort = 5353;

    private const int ReceiveBufferSize = 9000;
    private const int QueueCapacity = 512;

    private static readonly IPAddress s_groupV4 = IPAddress.Parse("224.0.0.251");
    private static readonly IPAddress s_groupV6 = IPAddress.Parse("ff02::fb");

    private readonly ILogger _logger;
    private readonly int _port;
    private readonly Socket _v4;
    private readonly Socket? _v6;
    private readonly IReadOnlyList<(int Index, IPAddress Address)> _v4Interfaces;
    private readonly List<int> _v6Interfaces;
    private readonly Channel<MdnsDatagram> _received;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _loopsLock = new();
    private Task[]? _loops;
    private int _disposed;

    private UdpMdnsTransport(ILogger logger, int port, Socket v4, Socket? v6, IReadOnlyList<(int Index, IPAddress Address)> v4Interfaces,
        IReadOnlyList<int> v6Interfaces, IReadOnlyList<IPAddress> addresses, IReadOnlyList<string> interfaceNames)
    {
        _logger = logger;
        _port = port;
        _v4 = v4;
        _v6 = v6;
        _v4Interfaces = v4Interfaces;
        _v6Interfaces = [.. v6Interfaces];
        LocalAddresses = addresses;
        InterfaceNames = interfaceNames;

        // A burst beyond what the actor keeps up with drops the oldest datagrams: mDNS repeats itself.
        _received = Channel.CreateBounded<MdnsDatagram>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest });
    }

    /// <inheritdoc />
    public IReadOnlyList<IPAddress> LocalAddresses { get; }

    /// <summary>The interfaces in use.</summary>
    public IReadOnlyList<string> InterfaceNames { get; }

    /// <summary>True when the IPv6 socket is in use.</summary>
    public bool UsesIPv6 => _v6 is not null;

    /// <summary>
    /// Opens the sockets on the chosen interfaces. Throws <see cref="SocketException"/> when the IPv4 socket cannot be
    /// bound or joined, and <see cref="InvalidOperationException"/> when no interface qualifies. IPv6 failures only
    /// leave IPv6 out (logged).
    /// </summary>
    public static UdpMdnsTransport Open(MdnsTransportOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var interfaces = ChooseInterfaces(options.Interfaces);
        var v4Interfaces = new List<(int Index, IPAddress Address)>();
        var addresses = new List<IPAddress>();
        foreach (var nic in interfaces)
        {
            var properties = nic.GetIPProperties();
            var v4 = properties.UnicastAddresses.Select(a => a.Address).Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
            if (v4.Count > 0)
            {
                v4Interfaces.Add((properties.GetIPv4Properties().Index, v4[0]));
                addresses.AddRange(v4);
            }
        }

        if (v4Interfaces.Count == 0)
        {
            throw new InvalidOperationException("no network interface with multicast and an IPv4 address is up: mDNS has nowhere to go");
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // On Linux, .NET sets SO_REUSEADDR and SO_REUSEPORT for this: avahi does the same, so both bind 5353.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, options.Port));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            socket.Ttl = 255;
            foreach (var (index, _) in v4Interfaces)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(s_groupV4, index));
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var (v6Socket, v6Interfaces, v6Addresses) = options.UseIPv6 ? OpenIPv6(interfaces, options.Port, logger) : (null, [], []);
        addresses.AddRange(v6Addresses);
        return new UdpMdnsTransport(logger, options.Port, socket, v6Socket, v4Interfaces, v6Interfaces, addresses, [.. interfaces.Select(n => n.Name)]);
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint? destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (destination is not null)
        {
            var socket = destination.AddressFamily == AddressFamily.InterNetworkV6 ? _v6 : _v4;
            if (socket is not null)
            {
                await SendOneAsync(socket, datagram, destination, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        foreach (var (_, address) in _v4Interfaces)
        {
            // Multicast leaves through the interface named by IP_MULTICAST_IF: one send per interface.
            _v4.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address.GetAddressBytes());
            await SendOneAsync(_v4, datagram, new IPEndPoint(s_groupV4, _port), cancellationToken).ConfigureAwait(false);
        }

        if (_v6 is not null)
        {
            foreach (var index in _v6Interfaces.ToList())
            {
                _v6.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, index);
                var error = await SendOneAsync(_v6, datagram, new IPEndPoint(new IPAddress(s_groupV6.GetAddressBytes(), index), _port), cancellationToken)
                    .ConfigureAwait(false);
                if (error is SocketError.NetworkUnreachable or SocketError.HostUnreachable)
                {
                    // No IPv6 multicast route on this interface (a loopback without one): stop trying it.
                    _v6Interfaces.Remove(index);
                    _logger.LogInformation("mDNS: no IPv6 multicast route on interface {Index}; IPv4 only there", index);
                }
            }
        }
    }

    /// <summary>The next datagram; the first call starts the receive loops (so <see cref="Open"/> itself starts no asynchronous work).</summary>
    public ValueTask<MdnsDatagram> ReceiveAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_loopsLock)
        {
            _loops ??= _v6 is null ? [ReceiveLoopAsync(_v4)] : [ReceiveLoopAsync(_v4), ReceiveLoopAsync(_v6)];
        }

        return _received.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>Stops receiving and closes the sockets. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _v4.Dispose();
        _v6?.Dispose();
        Task[]? loops;
        lock (_loopsLock)
        {
            loops = _loops;
            _loops = [];
        }

        if (loops is not null)
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }

        _received.Writer.TryComplete();
        _stop.Dispose();
    }

    private static List<NetworkInterface> ChooseInterfaces(IReadOnlyList<string> names)
    {
        var usable = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown && n.SupportsMulticast
                && n.GetIPProperties().UnicastAddresses.Count > 0)
            .ToList();
        if (names.Count > 0)
        {
            var chosen = usable.Where(n => names.Contains(n.Name, StringComparer.Ordinal)).ToList();
            var missing = names.Where(name => !chosen.Any(n => n.Name == name)).ToList();
            return missing.Count == 0
                ? chosen
                : throw new InvalidOperationException($"interface {string.Join(", ", missing)} is missing, down, or has no multicast");
        }

        // Loopback carries mDNS only inside this host: use it only when there is nothing else (a test namespace).
        var external = usable.Where(n => n.NetworkInterfaceType != NetworkInterfaceType.Loopback).ToList();
        return external.Count > 0 ? external : usable;
    }

    private static (Socket? Socket, IReadOnlyList<int> Interfaces, IReadOnlyList<IPAddress> Addresses) OpenIPv6(
        IReadOnlyList<NetworkInterface> interfaces, int port, ILogger logger)
    {
        if (!Socket.OSSupportsIPv6)
        {
            return (null, [], []);
        }

        var indices = new List<int>();
        var addresses = new List<IPAddress>();
        Socket? socket = null;
        try
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            socket.DualMode = false;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, true);
            socket.Ttl = 255;
            foreach (var nic in interfaces)
            {
                var properties = nic.GetIPProperties();
                var v6 = properties.UnicastAddresses.Select(a => a.Address).Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).ToList();
                if (v6.Count == 0 || !nic.Supports(NetworkInterfaceComponent.IPv6))
                {
                    continue;
                }

                var index = properties.GetIPv6Properties().Index;
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(s_groupV6, index));
                    indices.Add(index);
                    addresses.AddRange(v6);
                }
                catch (SocketException e)
                {
                    logger.LogInformation("mDNS: no IPv6 multicast on {Interface}: {Reason}", nic.Name, e.Message);
                }
            }
        }
        catch (Exception e) when (e is SocketException or NetworkInformationException or PlatformNotSupportedException)
        {
            logger.LogInformation("mDNS: IPv6 unavailable, using IPv4 only: {Reason}", e.Message);
            socket?.Dispose();
            return (null, [], []);
        }

        if (indices.Count == 0)
        {
            socket.Dispose();
            return (null, [], []);
        }

        return (socket, indices, addresses);
    }

    private async ValueTask<SocketError?> SendOneAsync(Socket socket, ReadOnlyMemory<byte> datagram, IPEndPoint destination, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendToAsync(datagram, SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (SocketException e)
        {
            // An interface that went away or a route that is gone: mDNS repeats, so drop this one.
            _logger.LogDebug("mDNS: send to {Destination} failed: {Reason}", destination, e.Message);
            return e.SocketErrorCode;
        }
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        await Task.Yield();
        var buffer = new byte[ReceiveBufferSize];
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                _received.Writer.TryWrite(new MdnsDatagram(buffer.AsSpan(0, result.ReceivedBytes).ToArray(), (IPEndPoint)result.RemoteEndPoint,
                    result.PacketInformation.Interface));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (!token.IsCancellationRequested)
            {
                // Oversized datagrams and transient errors: skip this one, keep listening.
                _logger.LogDebug("mDNS: receive failed: {Reason}", e.Message);
            }
            catch (SocketException)
            {
                return;
            }
        }
    }
}

using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Actors.Tests.Discovery;

/// <summary>
/// A DNS server on 127.0.0.1 (UDP and TCP on one port) that answers with <c>respond</c>: null means stay silent. With
/// <see cref="TruncateUdp"/> every UDP answer is cut to its header with TC set, so clients must retry over TCP.
/// Counts the queries per transport.
/// </summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly Func<DnsMessage, DnsMessage?> _respond;
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    public FakeDnsServer(Func<DnsMessage, DnsMessage?> respond)
    {
        _respond = respond;
        while (true)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)_udp.LocalEndPoint!).Port;
            _tcp = new TcpListener(IPAddress.Loopback, port);
            try
            {
                _tcp.Start();
                Endpoint = new IPEndPoint(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException)
            {
                _udp.Dispose();
            }
        }

        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint Endpoint { get; }

    public bool TruncateUdp { get; set; }

    /// <summary>Sent over UDP before each real answer: a response with another id (a spoof the client must ignore).</summary>
    public bool SendWrongIdFirst { get; set; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public static DnsMessage Answer(DnsMessage query, IEnumerable<DnsRecord> answers, IEnumerable<DnsRecord>? additionals = null,
        DnsResponseCode code = DnsResponseCode.NoError) =>
        new()
        {
            Id = query.Id,
            Flags = DnsHeaderFlags.Response | DnsHeaderFlags.RecursionDesired | DnsHeaderFlags.RecursionAvailable,
            ResponseCode = code,
            Questions = query.Questions,
            Answers = [.. answers],
            Additionals = [.. additionals ?? []],
        };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Stop();
        await Task.WhenAll(_udpLoop, _tcpLoop);
        _stop.Dispose();
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (DnsMessage.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var query, out _) != DecodeStatus.Done)
            {
                continue;
            }

            Interlocked.Increment(ref _udpQueries);
            var response = _respond(query!);
            if (response is null)
            {
                continue;
            }

            if (SendWrongIdFirst)
            {
                await _udp.SendToAsync(new DnsMessage { Id = (ushort)(query!.Id + 1), Flags = response.Flags, Questions = response.Questions }.ToArray(),
                    SocketFlags.None, received.RemoteEndPoint);
            }

            if (TruncateUdp)
            {
                response = new DnsMessage { Id = response.Id, Flags = response.Flags | DnsHeaderFlags.Truncated, Questions = response.Questions };
            }

            await _udp.SendToAsync(response.ToArray(), SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (client)
            {
                var buffer = new byte[70000];
                var filled = 0;
                DnsMessage? query;
                while (DnsMessage.TryDecodeTcp(buffer.AsSpan(0, filled), out query, out _, out _) == DecodeStatus.NeedMoreData)
                {
                    var read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                }

                if (query is null)
                {
                    continue;
                }

                Interlocked.Increment(ref _tcpQueries);
                if (_respond(query) is { } response)
                {
                    var framed = new ArrayBufferWriter<byte>();
                    response.EncodeTcp(framed);
                    await client.SendAsync(framed.WrittenMemory, SocketFlags.None);
                }
            }
        }
    }
}

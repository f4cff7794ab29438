using System.Net;
using System.Threading.Channels;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Sdk;

namespace Isg.Actors.Tests.Peers;

/// <summary>
/// One side of a transport test: an identity, a trust set and a <see cref="PeerTransport"/>; optionally a listener on
/// 127.0.0.1 whose connections are started with the given handler and queued for the test, with refusals queued too.
/// </summary>
public sealed class TestPeerNode : IAsyncDisposable
{
    private readonly Channel<PeerConnection> _accepted = Channel.CreateUnbounded<PeerConnection>();
    private readonly Channel<Exception> _refused = Channel.CreateUnbounded<Exception>();
    private readonly List<PeerConnection> _connections = [];

    public TestPeerNode(byte[] repositoryId, PeerTransportOptions? options = null, string? name = null)
    {
        RepositoryId = repositoryId;
        Identity = NodeIdentity.Create(name);
        Transport = new PeerTransport(Identity, repositoryId, Trust, options ?? PeerTransportOptions.Default, NullLogger.Instance);
    }

    public static byte[] NewRepositoryId() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public byte[] RepositoryId { get; }

    public NodeIdentity Identity { get; }

    public DeviceId DeviceId => Identity.DeviceId;

    public TestTrust Trust { get; } = new();

    public PeerTransport Transport { get; }

    public PeerListener? Listener { get; private set; }

    public IPEndPoint EndPoint => Listener?.LocalEndPoint ?? throw new InvalidOperationException("not listening");

    /// <summary>Pairs both ways.</summary>
    public void PairWith(TestPeerNode other)
    {
        Trust.Pair(other.DeviceId);
        other.Trust.Pair(DeviceId);
    }

    public void Listen(IPeerInboundHandler handler)
    {
        Listener = Transport.Listen(new IPEndPoint(IPAddress.Loopback, 0), connection =>
        {
            lock (_connections)
            {
                _connections.Add(connection);
            }

            connection.Start(handler);
            _accepted.Writer.TryWrite(connection);
        }, (_, error) => _refused.Writer.TryWrite(error));
    }

    public Task<PeerConnection> DialAsync(TestPeerNode target, IPeerInboundHandler handler, DeviceId? expected = null) =>
        DialAsync(target.EndPoint, handler, expected);

    public async Task<PeerConnection> DialAsync(IPEndPoint target, IPeerInboundHandler handler, DeviceId? expected = null)
    {
        var connection = await Transport.DialAsync(target, expected, CancellationToken.None);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        connection.Start(handler);
        return connection;
    }

    public async Task<PeerConnection> NextAcceptedAsync(TimeSpan within) => await Next(_accepted, within, "accepted connection");

    public async Task<Exception> NextRefusalAsync(TimeSpan within) => await Next(_refused, within, "refused handshake");

    public async ValueTask DisposeAsync()
    {
        if (Listener is not null)
        {
            await Listener.DisposeAsync();
        }

        List<PeerConnection> connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        Identity.Dispose();
    }

    private static async Task<T> Next<T>(Channel<T> channel, TimeSpan within, string what)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await channel.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"expected a {what} within {within}; none came");
        }
    }
}

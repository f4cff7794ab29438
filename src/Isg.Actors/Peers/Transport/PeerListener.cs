using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// Accepts TCP connections on one endpoint and runs each handshake in the background (at most
/// PeerTransportOptions.MaxPendingHandshakes at once; connections beyond it are dropped at once). Connections that
/// complete the handshake go to the callback, refusals and failures to the other. Dispose to stop; connections already
/// handed over are not touched.
/// </summary>
public sealed class PeerListener : IAsyncDisposable
{
    private readonly PeerTransport _transport;
    private readonly Socket _socket;
    private readonly Action<PeerConnection> _onConnected;
    private readonly Action<EndPoint?, Exception>? _onRefused;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _handshakes;
    private readonly Task _acceptLoop;

    private PeerListener(PeerTransport transport, Socket socket, Action<PeerConnection> onConnected, Action<EndPoint?, Exception>? onRefused)
    {
        _transport = transport;
        _socket = socket;
        _onConnected = onConnected;
        _onRefused = onRefused;
        _handshakes = new SemaphoreSlim(transport.Options.MaxPendingHandshakes);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The bound address and port (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Stops accepting and waits for the accept loop; handshakes in progress are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
    }

    internal static PeerListener Start(PeerTransport transport, IPEndPoint endpoint, Action<PeerConnection> onConnected, Action<EndPoint?, Exception>? onRefused)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted node binds its port again at once, despite connections of the previous run in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(128);
            return new PeerListener(transport, socket, onConnected, onRefused);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Per-connection failures (the client reset before accept, out of descriptors): keep listening.
                _transport.Logger.LogWarning("peer listener {EndPoint}: accept failed: {Message}", LocalEndPoint, e.Message);
                continue;
            }

            if (!_handshakes.Wait(0, CancellationToken.None))
            {
                _transport.Logger.LogWarning("peer listener {EndPoint}: too many handshakes in progress; dropped {Remote}", LocalEndPoint, accepted.RemoteEndPoint);
                accepted.Dispose();
                continue;
            }

            _ = Task.Run(() => HandshakeAsync(accepted, token), CancellationToken.None);
        }
    }

    private async Task HandshakeAsync(Socket accepted, CancellationToken cancellationToken)
    {
        var remote = accepted.RemoteEndPoint;
        PeerConnection? connection = null;
        try
        {
            connection = await _transport.AcceptAsync(accepted, cancellationToken).ConfigureAwait(false);
            _onConnected(connection);
        }
        catch (Exception e) when (e is PeerHandshakeException or OperationCanceledException)
        {
            _transport.Logger.LogDebug("peer listener {EndPoint}: handshake with {Remote} ended: {Message}", LocalEndPoint, remote, e.Message);
            _onRefused?.Invoke(remote, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _transport.Logger.LogError(e, "peer listener {EndPoint}: handling the connection from {Remote} failed", LocalEndPoint, remote);
            if (connection is not null)
            {
                // Nobody took it over: it must not stay open unattended.
                _ = connection.CloseAsync(Isg.Protocol.Peers.Wire.CloseReason.ShuttingDown, "the node could not take the connection");
            }

            _onRefused?.Invoke(remote, e);
        }
        finally
        {
            _handshakes.Release();
        }
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Isg.Actors.Peers.Identity;
using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// This node's end of the peer transport: its identity, its repository id, whom it trusts and the connection limits.
/// Dials peers, accepts connections from a socket and runs listeners; every connection it returns has completed the TLS
/// 1.3 handshake with mutual certificates and the Hello exchange (pinned device id, trust, repository id) and is not yet
/// started (see <see cref="PeerConnection.Start"/>). Thread-safe.
/// </summary>
public sealed class PeerTransport
{
    private readonly byte[] _repositoryId;
    private readonly Lazy<SslStreamCertificateContext> _certificateContext;

    /// <summary>Creates the transport; <paramref name="repositoryId"/> is RepositoryKey.ComputeRepositoryId() (32 bytes).</summary>
    public PeerTransport(NodeIdentity identity, ReadOnlySpan<byte> repositoryId, IPeerTrustPolicy trust, PeerTransportOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (repositoryId.Length != 32)
        {
            throw new ArgumentException($"a repository id is 32 bytes, got {repositoryId.Length}", nameof(repositoryId));
        }

        options.Validate();
        Identity = identity;
        _repositoryId = repositoryId.ToArray();
        Trust = trust;
        Options = options;
        Logger = logger;
        _certificateContext = new Lazy<SslStreamCertificateContext>(() => SslStreamCertificateContext.Create(identity.Certificate, null, offline: true));
    }

    /// <summary>This node's certificate and device id.</summary>
    public NodeIdentity Identity { get; }

    /// <summary>This node's device id.</summary>
    public DeviceId DeviceId => Identity.DeviceId;

    /// <summary>Whom this node accepts.</summary>
    public IPeerTrustPolicy Trust { get; }

    /// <summary>Limits and timings.</summary>
    public PeerTransportOptions Options { get; }

    /// <summary>Where connections log.</summary>
    public ILogger Logger { get; }

    /// <summary>The identity's certificate as TLS presents it, built once.</summary>
    internal SslStreamCertificateContext CertificateContext => _certificateContext.Value;

    /// <summary>The repository id sent and expected in Hello.</summary>
    internal ReadOnlySpan<byte> RepositoryId => _repositoryId;

    /// <summary>
    /// Connects to <paramref name="endpoint"/> (an IP or DNS endpoint) and runs the handshake as the dialler. With
    /// <paramref name="expectedDevice"/>, a different device there is refused (Close UNTRUSTED_DEVICE). Throws
    /// <see cref="PeerHandshakeException"/> when refused or broken (socket errors included), and
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    public async Task<PeerConnection> DialAsync(EndPoint endpoint, DeviceId? expectedDevice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = endpoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.HelloTimeout);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new PeerHandshakeException(PeerCloseOrigin.Transport, Protocol.Peers.Wire.CloseReason.Unspecified,
                    $"connecting to {endpoint} timed out after {Options.HelloTimeout.TotalSeconds:0.#} s");
            }
            catch (SocketException e)
            {
                throw new PeerHandshakeException(PeerCloseOrigin.Transport, Protocol.Peers.Wire.CloseReason.Unspecified,
                    $"cannot connect to {endpoint}: {e.Message}", e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await PeerConnection.HandshakeAsync(this, socket, PeerRole.Dialler, expectedDevice, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the handshake as the acceptor on <paramref name="socket"/> (just accepted; the connection owns it from now
    /// on). Throws as <see cref="DialAsync"/>.
    /// </summary>
    public Task<PeerConnection> AcceptAsync(Socket socket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.NoDelay = true;
        return PeerConnection.HandshakeAsync(this, socket, PeerRole.Acceptor, null, cancellationToken);
    }

    /// <summary>
    /// Listens on <paramref name="endpoint"/> (port 0: any free port; see <see cref="PeerListener.LocalEndPoint"/>) and
    /// hands each connection that completes the handshake to <paramref name="onConnected"/>, which must start or close
    /// it; <paramref name="onRefused"/> (optional) learns of each failed handshake. Throws <see cref="SocketException"/>
    /// when the endpoint cannot be bound.
    /// </summary>
    public PeerListener Listen(IPEndPoint endpoint, Action<PeerConnection> onConnected, Action<EndPoint?, Exception>? onRefused = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(onConnected);
        return PeerListener.Start(this, endpoint, onConnected, onRefused);
    }
}

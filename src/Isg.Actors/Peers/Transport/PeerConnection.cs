using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// One TLS 1.3 connection to a trusted peer of the same repository, after the handshake (see
/// <see cref="PeerTransport"/>). Once <see cref="Start"/>ed, a read loop dispatches frames (answers to our requests by
/// request id, the peer's requests concurrently to the handler, one-way messages in order), a write loop batches queued
/// frames onto the socket, and a keepalive pings a silent peer and closes an idle one. Anything the peer sends that
/// breaks the protocol closes the connection with a reason; nothing it sends can throw out of the loops.
/// </summary>
public sealed class PeerConnection : IPeerSession, IAsyncDisposable
{
    private const int BatchBytes = 64 * 1024;
    private const int ReadBufferBytes = 64 * 1024;
    // Chosen with bench/peers-ab.sh on 256 MiB syncs: larger reads and sends cost less CPU per byte, until (at 512 KiB
    // gathered) the receiver waits longer for its first bytes than it saves.
    private const int ReadAheadBytes = 512 * 1024;
    private const int GatherBytes = 256 * 1024;

    private static readonly TimeSpan s_refusalLinger = TimeSpan.FromSeconds(1);

    // AES-128-GCM first: TLS 1.3's mandatory suite, about a tenth cheaper per byte than AES-256-GCM here, and what
    // crosses the connection in bulk (sealed blocks) is already encrypted with AES-256-GCM under the repository key.
    private static readonly CipherSuitesPolicy s_cipherSuites = new(
        [TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256]);

    private readonly PeerTransport _transport;
    private readonly Socket _socket;
    private readonly SocketCarrierStream _carrier;
    private readonly SslStream _ssl;
    private readonly PipeReader _reader;
    private readonly PeerTransportOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SendBudget _budget;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<PeerFrame>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _stopReading = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<PeerCloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sendLock = new();

    private PeerCloseInfo? _close;
    private volatile bool _abortWrites;
    private IPeerInboundHandler? _handler;
    private long _nextRequestId;
    private long _bytesSent;
    private long _bytesReceived;
    private long _lastReceived;
    private int _inboundRequests;
    private int _controlFrames;
    private int _started;
    private int _sendLimit;

    // From the peer's Hello: it reads block parts sent after their frame.
    private bool _peerTakesTrailers;

    // Set once the TLS handshake has shown the remote certificate (Remote is valid from then on).
    private bool _remoteKnown;

    private PeerConnection(PeerTransport transport, Socket socket, SocketCarrierStream carrier, SslStream ssl, PeerRole role)
    {
        _transport = transport;
        _socket = socket;
        _carrier = carrier;
        _ssl = ssl;
        _options = transport.Options;
        _logger = transport.Logger;
        _reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: 4096, leaveOpen: true));
        _budget = new SendBudget(_options.SendQueueBytes);
        _sendLimit = PeerFrameCodec.MaxFrameBytes;
        Role = role;
        _nextRequestId = role == PeerRole.Dialler ? 1 : 2;
        RemoteEndPoint = socket.RemoteEndPoint;
        _lastReceived = _options.TimeProvider.GetTimestamp();
    }

    /// <inheritdoc />
    public DeviceId Remote { get; private set; }

    /// <inheritdoc />
    public string RemoteName { get; private set; } = string.Empty;

    /// <inheritdoc />
    public string RemoteClientVersion { get; private set; } = string.Empty;

    /// <inheritdoc />
    public PeerRole Role { get; }

    /// <summary>The TLS 1.3 cipher suite the handshake agreed on.</summary>
    public TlsCipherSuite CipherSuite => _ssl.NegotiatedCipherSuite;

    /// <inheritdoc />
    public PeerTrust Trust { get; private set; }

    /// <inheritdoc />
    public EndPoint? RemoteEndPoint { get; }

    /// <inheritdoc />
    public DateTimeOffset ConnectedAt { get; private set; }

    /// <summary>This node's device id.</summary>
    public DeviceId LocalDevice => _transport.DeviceId;

    /// <inheritdoc />
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <inheritdoc />
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <inheritdoc />
    public int PendingRequests => _pending.Count;

    /// <summary>Encoded bytes waiting in the send queue.</summary>
    internal long QueuedBytes => _budget.Held;

    /// <summary>Requests of the peer being handled now.</summary>
    public int InboundRequests => Volatile.Read(ref _inboundRequests);

    /// <summary>The largest frame the peer accepts (from its Hello): frames sent here must fit it.</summary>
    public int RemoteMaxFrameBytes => _sendLimit;

    /// <inheritdoc />
    public bool IsOpen
    {
        get
        {
            lock (_sendLock)
            {
                return _close is null;
            }
        }
    }

    /// <inheritdoc />
    public Task<PeerCloseInfo> Completion => _completion.Task;

    /// <summary>
    /// Starts the loops; inbound frames go to <paramref name="handler"/>. Frames the peer sent since the handshake waited
    /// unread until now. Idempotent (a second call changes nothing).
    /// </summary>
    public void Start(IPeerInboundHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.CompareExchange(ref _started, 1, 0) != 0)
        {
            return;
        }

        _handler = handler;
        _ = RunAsync();
    }

    /// <inheritdoc />
    public async Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = (ulong)Interlocked.Add(ref _nextRequestId, 2) - 2;
        var answer = new TaskCompletionSource<PeerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        request.RequestId = id;
        request.IsResponse = false;
        _pending[id] = answer;
        try
        {
            await EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
            await using var registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (connection, id) = ((PeerConnection, ulong))state!;
                if (connection._pending.TryRemove(id, out var waiting))
                {
                    waiting.TrySetCanceled(token);
                }
            }, (this, id)).ConfigureAwait(false);
            return await answer.Task.ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <inheritdoc />
    public ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.RequestId = 0;
        message.IsResponse = false;
        return EnqueueAsync(message, cancellationToken);
    }

    /// <summary>Pings the peer and returns the round-trip time. Throws as <see cref="RequestAsync"/>, and <see cref="InvalidDataException"/> for a wrong answer.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var nonce = (ulong)Random.Shared.NextInt64();
        var started = _options.TimeProvider.GetTimestamp();
        var answer = await RequestAsync(new PeerFrame { Ping = new Ping { Nonce = nonce } }, cancellationToken).ConfigureAwait(false);
        if (answer.BodyCase != PeerFrame.BodyOneofCase.Pong || answer.Pong.Nonce != nonce)
        {
            throw new InvalidDataException($"the peer answered a ping with {answer.BodyCase}");
        }

        return _options.TimeProvider.GetElapsedTime(started);
    }

    /// <inheritdoc />
    public Task<PeerCloseInfo> CloseAsync(CloseReason reason, string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Local, reason, detail), sendClose: true);
        EnsureRunning();
        return Completion;
    }

    /// <summary>Closes with NORMAL (if still open) and waits until the connection has ended.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync(CloseReason.Normal, "closed").ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => $"peer {Remote.ShortId} ({Role}, {RemoteEndPoint})";

    internal static async Task<PeerConnection> HandshakeAsync(PeerTransport transport, Socket socket, PeerRole role, DeviceId? expectedDevice, CancellationToken cancellationToken)
    {
        var carrier = new SocketCarrierStream(new NetworkStream(socket, ownsSocket: false), ReadAheadBytes, GatherBytes);
        var ssl = new SslStream(carrier, leaveInnerStreamOpen: false);
        var connection = new PeerConnection(transport, socket, carrier, ssl, role);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(transport.Options.HelloTimeout);
        try
        {
            await connection.HandshakeCoreAsync(expectedDevice, timeout.Token).ConfigureAwait(false);
            connection.ConnectedAt = transport.Options.TimeProvider.GetUtcNow();
            connection._lastReceived = transport.Options.TimeProvider.GetTimestamp();
            return connection;
        }
        catch (Exception e)
        {
            if (e is PeerHandshakeException refused && connection._remoteKnown)
            {
                // Whoever dialled an address without knowing the device learns who is there (itself, a stranger).
                refused.Remote ??= connection.Remote;
            }

            if (e is PeerHandshakeException { Origin: PeerCloseOrigin.Local })
            {
                // Refused with a Close: read (and drop) until the peer ends the stream, briefly, in the background.
                // Closing with unread bytes would reset the connection, and the peer could lose the Close that says why.
                _ = connection.LingerAsync(s_refusalLinger).ContinueWith(_ => connection.AbortHandshakeAsync(), CancellationToken.None,
                    TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                throw;
            }

            await connection.AbortHandshakeAsync().ConfigureAwait(false);
            if (e is PeerHandshakeException)
            {
                throw;
            }

            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var message = e is OperationCanceledException
                ? $"the handshake with {connection.RemoteEndPoint} took longer than {transport.Options.HelloTimeout.TotalSeconds:0.#} s"
                : $"the handshake with {connection.RemoteEndPoint} failed: {e.Message}";
            throw new PeerHandshakeException(PeerCloseOrigin.Transport, CloseReason.Unspecified, message, e);
        }
    }

    private async Task HandshakeCoreAsync(DeviceId? expectedDevice, CancellationToken cancellationToken)
    {
        var certificateContext = _transport.CertificateContext;
        if (Role == PeerRole.Dialler)
        {
            await _ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "isg",
                ClientCertificateContext = certificateContext,
                EnabledSslProtocols = SslProtocols.Tls13,
                CipherSuitesPolicy = s_cipherSuites,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // The certificate is self-signed; it is pinned by its hash below instead of checked against a CA.
                RemoteCertificateValidationCallback = static (_, remote, _, _) => remote is not null,
            }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificateContext,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                CipherSuitesPolicy = s_cipherSuites,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = static (_, remote, _, _) => remote is not null,
            }, cancellationToken).ConfigureAwait(false);
        }

        if (_ssl.RemoteCertificate is not { } remoteCertificate)
        {
            throw new AuthenticationException("the peer presented no certificate");
        }

        Remote = DeviceId.FromCertificateDer(remoteCertificate.GetRawCertData());
        _remoteKnown = true;
        var self = _transport.DeviceId;
        if (Remote == self)
        {
            await RefuseAsync(CloseReason.ProtocolError, "connected to itself", cancellationToken).ConfigureAwait(false);
        }

        if (expectedDevice is { } expected && expected != Remote)
        {
            await RefuseAsync(CloseReason.UntrustedDevice, $"expected device {expected.ShortId} at {RemoteEndPoint}, found {Remote.ShortId}", cancellationToken).ConfigureAwait(false);
        }

        var paired = _transport.Trust.IsPaired(Remote);
        var clusterKey = _transport.Trust.ClusterKey;
        if (!paired && clusterKey.IsEmpty)
        {
            // Neither paired nor able to prove a cluster secret: nothing but Close is sent, not even our Hello.
            await RefuseAsync(CloseReason.UntrustedDevice, $"device {Remote} is not paired with this node", cancellationToken).ConfigureAwait(false);
        }

        var dialler = Role == PeerRole.Dialler ? self : Remote;
        var acceptor = Role == PeerRole.Dialler ? Remote : self;
        if (Role == PeerRole.Dialler)
        {
            await WriteDirectAsync(BuildHello(clusterKey.Span, dialler, acceptor), cancellationToken).ConfigureAwait(false);
            await ReceiveHelloAsync(paired, clusterKey, dialler, acceptor, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // An acceptor that does not know the dialler answers only once the dialler has proved the secret, so a
            // stranger never obtains a proof of ours to guess the secret from.
            await ReceiveHelloAsync(paired, clusterKey, dialler, acceptor, cancellationToken).ConfigureAwait(false);
            await WriteDirectAsync(BuildHello(clusterKey.Span, dialler, acceptor), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReceiveHelloAsync(bool paired, ReadOnlyMemory<byte> clusterKey, DeviceId dialler, DeviceId acceptor, CancellationToken cancellationToken)
    {
        var frame = await ReadHandshakeFrameAsync(cancellationToken).ConfigureAwait(false);
        if (frame.BodyCase == PeerFrame.BodyOneofCase.Close)
        {
            throw new PeerHandshakeException(PeerCloseOrigin.Remote, frame.Close.Reason,
                $"device {Remote.ShortId} at {RemoteEndPoint} refused the connection: {frame.Close.Reason} {frame.Close.Detail}");
        }

        if (frame.BodyCase != PeerFrame.BodyOneofCase.Hello || frame.RequestId != 0 || frame.IsResponse)
        {
            await RefuseAsync(CloseReason.ProtocolError, $"expected Hello first, got {frame.BodyCase}", cancellationToken).ConfigureAwait(false);
        }

        var hello = frame.Hello;
        if (!hello.DeviceId.Span.SequenceEqual(Remote.Hash.ToArray()))
        {
            await RefuseAsync(CloseReason.ProtocolError, "the Hello's device id is not the certificate's", cancellationToken).ConfigureAwait(false);
        }

        var remoteRole = Role == PeerRole.Dialler ? PeerRole.Acceptor : PeerRole.Dialler;
        var proved = !clusterKey.IsEmpty && ClusterProof.Verify(clusterKey.Span, dialler, acceptor, remoteRole, hello.ClusterProof.Span);
        if (!paired && !proved)
        {
            var why = hello.ClusterProof.IsEmpty ? "is not paired with this node and proved no cluster secret" : "is not paired with this node and proved another cluster secret";
            await RefuseAsync(CloseReason.UntrustedDevice, $"device {Remote} {why}", cancellationToken).ConfigureAwait(false);
        }

        if (!CryptographicOperations.FixedTimeEquals(hello.RepositoryId.Span, _transport.RepositoryId))
        {
            await RefuseAsync(CloseReason.RepositoryMismatch, $"device {Remote.ShortId} holds another repository", cancellationToken).ConfigureAwait(false);
        }

        Trust = paired ? PeerTrust.Paired : PeerTrust.Cluster;
        RemoteName = hello.DeviceName.Length > 256 ? hello.DeviceName[..256] : hello.DeviceName;
        RemoteClientVersion = hello.ClientVersion.Length > 64 ? hello.ClientVersion[..64] : hello.ClientVersion;
        _sendLimit = hello.MaxFrameBytes == 0 ? PeerFrameCodec.MaxFrameBytes : (int)Math.Min(hello.MaxFrameBytes, (uint)PeerFrameCodec.MaxFrameBytes);
        _peerTakesTrailers = hello.TrailingBlockParts;
    }

    private PeerFrame BuildHello(ReadOnlySpan<byte> clusterKey, DeviceId dialler, DeviceId acceptor)
    {
        var hello = new Hello
        {
            DeviceId = ByteString.CopyFrom(_transport.DeviceId.Hash.ToArray()),
            DeviceName = _transport.Identity.DeviceName,
            ClientVersion = _options.ClientVersion,
            RepositoryId = ByteString.CopyFrom(_transport.RepositoryId),
            MaxFrameBytes = (uint)_options.MaxFrameBytes,
            TrailingBlockParts = true,
        };
        if (!clusterKey.IsEmpty)
        {
            Span<byte> proof = stackalloc byte[ClusterProof.Length];
            ClusterProof.Compute(clusterKey, dialler, acceptor, Role, proof);
            hello.ClusterProof = ByteString.CopyFrom(proof);
        }

        return new PeerFrame { Hello = hello };
    }

    // Sends Close with the reason and fails the handshake; the caller's catch tears the connection down.
    private async Task RefuseAsync(CloseReason reason, string detail, CancellationToken cancellationToken)
    {
        try
        {
            await WriteDirectAsync(new PeerFrame { Close = new Close { Reason = reason, Detail = detail } }, cancellationToken).ConfigureAwait(false);
            await _ssl.ShutdownAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException)
        {
            _logger.LogDebug(e, "could not tell {Peer} why it was refused", RemoteEndPoint);
        }

        throw new PeerHandshakeException(PeerCloseOrigin.Local, reason, detail);
    }

    private async Task WriteDirectAsync(PeerFrame frame, CancellationToken cancellationToken)
    {
        var bytes = PeerFrameCodec.ToBytes(frame);
        Interlocked.Add(ref _bytesSent, bytes.Length);
        await _ssl.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _ssl.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<PeerFrame> ReadHandshakeFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = PeerFrameCodec.TryDecode(buffer, _options.MaxFrameBytes, out var frame, out var consumed, out var error);
            switch (status)
            {
                case DecodeStatus.Done:
                    _reader.AdvanceTo(buffer.GetPosition(consumed));
                    Interlocked.Add(ref _bytesReceived, consumed);
                    return frame!;
                case DecodeStatus.Invalid:
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    await RefuseAsync(error.Kind == ProtocolErrorKind.TooLarge ? CloseReason.FrameTooLarge : CloseReason.ProtocolError,
                        error.ToString(), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    if (result.IsCompleted)
                    {
                        throw new PeerHandshakeException(PeerCloseOrigin.Transport, CloseReason.Unspecified,
                            $"{RemoteEndPoint} ended the connection during the handshake" + (buffer.IsEmpty ? string.Empty : " inside a frame"));
                    }

                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    // Reads and drops what arrives until the end of the stream or the timeout; never throws.
    private async Task LingerAsync(TimeSpan timeout)
    {
        using var linger = new CancellationTokenSource(timeout, _options.TimeProvider);
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(linger.Token).ConfigureAwait(false);
                _reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException || IsTransportFailure(e))
        {
            _logger.LogDebug("peer connection {Connection}: stopped waiting for the peer to end the stream: {Message}", this, e.Message);
        }
    }

    private async Task AbortHandshakeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _ssl.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _closing.Dispose();
        _stopReading.Dispose();
    }

    private void EnsureRunning()
    {
        if (Interlocked.CompareExchange(ref _started, 1, 0) == 0)
        {
            _ = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        var writer = Task.Run(WriteLoopAsync);
        var keepalive = KeepaliveLoopAsync();
        var reading = ReadAsync();
        await _closed.Task.ConfigureAwait(false);
        var close = CloseInfo;
        try
        {
            using var patience = new CancellationTokenSource();
            var deadline = Task.Delay(_options.CloseTimeout, _options.TimeProvider, patience.Token);
            if (close.Origin != PeerCloseOrigin.Local)
            {
                await _stopReading.CancelAsync().ConfigureAwait(false);
            }

            // The writer ends once it has written what was queued before the close (the Close frame last).
            if (await Task.WhenAny(writer, deadline).ConfigureAwait(false) != writer)
            {
                _logger.LogDebug("peer connection {Connection}: the close did not finish writing in time; dropping the socket", this);
                _abortWrites = true;
                _socket.Dispose();
            }

            await writer.ConfigureAwait(false);
            await keepalive.ConfigureAwait(false);
            FailPending(close);
            _completion.TrySetResult(close);

            // After our Close, keep reading (and dropping) until the peer ends the stream: closing a socket with
            // unread bytes resets the connection, and the peer could lose the Close that says why.
            if (close.Origin == PeerCloseOrigin.Local)
            {
                await Task.WhenAny(reading, deadline).ConfigureAwait(false);
            }

            await patience.CancelAsync().ConfigureAwait(false);
            await _stopReading.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
        }
        finally
        {
            FailPending(close);
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _ssl.DisposeAsync().ConfigureAwait(false);
            _socket.Dispose();
            _completion.TrySetResult(close);
        }
    }

    private void FailPending(PeerCloseInfo close)
    {
        var failure = Unavailable(close);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var waiting))
            {
                waiting.TrySetException(failure);
            }
        }
    }

    private PeerCloseInfo CloseInfo
    {
        get
        {
            lock (_sendLock)
            {
                return _close!;
            }
        }
    }

    // The read loop with its end recorded as a close: never throws.
    private async Task ReadAsync()
    {
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
            MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Transport, CloseReason.Unspecified, "the peer ended the connection without Close"), sendClose: false);
        }
        catch (OperationCanceledException) when (_stopReading.IsCancellationRequested)
        {
            // Stopped by the close, which already says why.
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Transport, CloseReason.Unspecified, "connection lost: " + e.Message), sendClose: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "peer connection {Connection}: the read loop failed", this);
            MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Local, CloseReason.Unspecified, "internal error"), sendClose: true);
        }
    }

    // Reads until the end of the stream. After a close of ours it only drops what arrives; after the peer's it stops.
    private async Task ReadLoopAsync()
    {
        var token = _stopReading.Token;
        IncomingTrailer? trailer = null;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                Volatile.Write(ref _lastReceived, _options.TimeProvider.GetTimestamp());
                try
                {
                    while (!IsClosing && TakeFrame(ref buffer, ref trailer) is { } frame)
                    {
                        await DispatchAsync(frame, _closing.Token).ConfigureAwait(false);
                    }

                    if (IsClosing)
                    {
                        if (CloseInfo.Origin != PeerCloseOrigin.Local)
                        {
                            return;
                        }

                        buffer = buffer.Slice(buffer.End);
                    }

                    if (result.IsCompleted)
                    {
                        if (!buffer.IsEmpty || trailer is not null)
                        {
                            EndedInsideAFrame();
                        }

                        return;
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (trailer is not null && buffer.IsEmpty && !IsClosing)
                {
                    if (!await ReadTrailerAsync(trailer, token).ConfigureAwait(false))
                    {
                        EndedInsideAFrame();
                        return;
                    }

                    var complete = trailer.Complete();
                    trailer = null;
                    await DispatchAsync(complete, _closing.Token).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            trailer?.Dispose();
        }
    }

    // The rest of a block part, read from TLS straight into its buffer rather than through the pipe, which would copy
    // every byte once more (the pipe holds nothing now: all it had went into the part). False when the stream ended first.
    private async Task<bool> ReadTrailerAsync(IncomingTrailer trailer, CancellationToken cancellationToken)
    {
        while (!trailer.IsComplete)
        {
            var read = await _ssl.ReadAsync(trailer.Remaining, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            trailer.Advance(read);
            Interlocked.Add(ref _bytesReceived, read);
            Volatile.Write(ref _lastReceived, _options.TimeProvider.GetTimestamp());
        }

        return true;
    }

    private void EndedInsideAFrame() =>
        MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Transport, CloseReason.Unspecified, "the connection ended inside a frame"), sendClose: false);

    // The next whole frame at the start of buffer (consumed from it), its trailing bytes included; null when more bytes
    // are needed, or when the frame broke the protocol (the connection is closing then). A frame announcing trailing
    // bytes waits in trailer while they arrive.
    private PeerFrame? TakeFrame(ref ReadOnlySequence<byte> buffer, ref IncomingTrailer? trailer)
    {
        if (trailer is not null)
        {
            var taken = trailer.Fill(buffer);
            buffer = buffer.Slice(taken);
            Interlocked.Add(ref _bytesReceived, taken);
            if (!trailer.IsComplete)
            {
                return null;
            }

            var complete = trailer.Complete();
            trailer = null;
            return complete;
        }

        var status = PeerFrameCodec.TryDecode(buffer, _options.MaxFrameBytes, out var frame, out var consumed, out var error);
        if (status == DecodeStatus.NeedMoreData)
        {
            return null;
        }

        if (status == DecodeStatus.Invalid)
        {
            ProtocolViolation(error.Kind == ProtocolErrorKind.TooLarge ? CloseReason.FrameTooLarge : CloseReason.ProtocolError, error.ToString());
            return null;
        }

        buffer = buffer.Slice(consumed);
        Interlocked.Add(ref _bytesReceived, consumed);
        if (frame!.BodyCase != PeerFrame.BodyOneofCase.BlockResponse || frame.BlockResponse.TrailingLength == 0)
        {
            return frame;
        }

        if (TrailerViolation(frame) is { } violation)
        {
            ProtocolViolation(CloseReason.ProtocolError, violation);
            return null;
        }

        trailer = new IncomingTrailer(frame);
        return TakeFrame(ref buffer, ref trailer);
    }

    // Why a frame announcing trailing bytes breaks the protocol, or null when it does not: only answers carry them,
    // only to a node that asked for them in its Hello (this one always does), and never more than one part's worth.
    private static string? TrailerViolation(PeerFrame frame)
    {
        var part = frame.BlockResponse;
        if (!frame.IsResponse)
        {
            return "trailing bytes after a frame that is not an answer";
        }

        if (part.TrailingLength > PeerFrameCodec.MaxBlockPartBytes)
        {
            return $"a block part of {part.TrailingLength} trailing bytes, at most {PeerFrameCodec.MaxBlockPartBytes} allowed";
        }

        return part.Sealed.IsEmpty ? null : "a block part both inside the frame and after it";
    }

    private bool IsClosing
    {
        get
        {
            lock (_sendLock)
            {
                return _close is not null;
            }
        }
    }

    private async ValueTask DispatchAsync(PeerFrame frame, CancellationToken cancellationToken)
    {
        if (frame.IsResponse)
        {
            if (frame.RequestId == 0 || !IsOurs(frame.RequestId) || frame.BodyCase is PeerFrame.BodyOneofCase.Hello or PeerFrame.BodyOneofCase.Close)
            {
                ProtocolViolation(CloseReason.ProtocolError, $"an answer ({frame.BodyCase}) to request {frame.RequestId}, which this node never sent");
                DisposeTrailer(frame);
                return;
            }

            // No waiter: the request was cancelled, and its late answer is dropped.
            if (!_pending.TryRemove(frame.RequestId, out var waiting) || !waiting.TrySetResult(frame))
            {
                DisposeTrailer(frame);
            }

            return;
        }

        switch (frame.BodyCase)
        {
            case PeerFrame.BodyOneofCase.Close:
                MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Remote, frame.Close.Reason, frame.Close.Detail), sendClose: false);
                return;
            case PeerFrame.BodyOneofCase.Hello:
                ProtocolViolation(CloseReason.ProtocolError, "a second Hello");
                return;
            case PeerFrame.BodyOneofCase.Ping:
                TryEnqueueControl(new PeerFrame { RequestId = frame.RequestId, IsResponse = frame.RequestId != 0, Pong = new Pong { Nonce = frame.Ping.Nonce } });
                return;
            case PeerFrame.BodyOneofCase.Pong:
            case PeerFrame.BodyOneofCase.Error when frame.RequestId == 0:
                return;
        }

        if (frame.RequestId != 0)
        {
            if (IsOurs(frame.RequestId))
            {
                ProtocolViolation(CloseReason.ProtocolError, $"request id {frame.RequestId} has this node's parity");
                return;
            }

            if (frame.BodyCase is PeerFrame.BodyOneofCase.None or PeerFrame.BodyOneofCase.Error)
            {
                TryEnqueueControl(Answer(frame.RequestId, ErrorCode.BadRequest, "unknown request"));
                return;
            }

            if (Interlocked.Increment(ref _inboundRequests) > _options.MaxConcurrentRequests)
            {
                Interlocked.Decrement(ref _inboundRequests);
                TryEnqueueControl(Answer(frame.RequestId, ErrorCode.Busy, "too many requests in flight"));
                return;
            }

            _ = Task.Run(() => HandleRequestAsync(frame), CancellationToken.None);
            return;
        }

        if (frame.BodyCase == PeerFrame.BodyOneofCase.None)
        {
            // A one-way message of a newer version: nothing to do with it.
            return;
        }

        try
        {
            await _handler!.HandleMessageAsync(this, frame, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection is closing.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "peer connection {Connection}: the handler failed on a {Body} message; dropped", this, frame.BodyCase);
        }
    }

    private async Task HandleRequestAsync(PeerFrame request)
    {
        try
        {
            PeerFrame answer;
            try
            {
                answer = await _handler!.HandleRequestAsync(this, request, _closing.Token).ConfigureAwait(false);
                if (answer is null || answer.BodyCase == PeerFrame.BodyOneofCase.None)
                {
                    answer = Answer(0, ErrorCode.Internal, "the handler gave no answer");
                }
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning(e, "peer connection {Connection}: the handler failed on a {Body} request", this, request.BodyCase);
                answer = Answer(0, ErrorCode.Internal, "the request failed on the peer");
            }

            answer.RequestId = request.RequestId;
            answer.IsResponse = true;
            try
            {
                await EnqueueAsync(answer, _closing.Token).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                _logger.LogWarning("peer connection {Connection}: the answer to a {Body} request is too large: {Message}", this, request.BodyCase, e.Message);
                await EnqueueAsync(Answer(request.RequestId, ErrorCode.Internal, "the answer is too large for one frame"), _closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is PeerUnavailableException or OperationCanceledException)
        {
            // The connection closed while the request was handled: nobody is left to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inboundRequests);
        }
    }

    private PeerUnavailableException Unavailable(PeerCloseInfo close) =>
        new(Remote, $"the connection is closed ({close})", new PeerConnectionClosedException(close));

    private static PeerFrame Answer(ulong requestId, ErrorCode code, string message) =>
        new() { RequestId = requestId, IsResponse = requestId != 0, Error = new ErrorReply { Code = code, Message = message } };

    private bool IsOurs(ulong requestId) => (requestId & 1) == (Role == PeerRole.Dialler ? 1UL : 0UL);

    private void ProtocolViolation(CloseReason reason, string detail)
    {
        _logger.LogWarning("peer connection {Connection}: closing with {Reason}: {Detail}", this, reason, detail);
        MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Local, reason, detail), sendClose: true);
    }

    private async ValueTask EnqueueAsync(PeerFrame frame, CancellationToken cancellationToken)
    {
        var (trailer, after) = TakeTrailer(frame);
        try
        {
            var length = PeerFrameCodec.GetEncodedLength(frame);
            if (length - PeerFrameCodec.PrefixLength > _sendLimit)
            {
                throw new ArgumentException($"a {frame.BodyCase} frame of {length - PeerFrameCodec.PrefixLength} bytes exceeds the peer's limit of {_sendLimit}", nameof(frame));
            }

            ThrowIfClosed();
            var budgeted = length + (after ? trailer!.Length : 0);
            await _budget.AcquireAsync(budgeted, cancellationToken).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            var queued = false;
            try
            {
                PeerFrameCodec.Encode(frame, buffer, _sendLimit);
                lock (_sendLock)
                {
                    if (_close is null)
                    {
                        queued = _outgoing.Writer.TryWrite(new Outgoing(buffer, length, budgeted, Trailer: after ? trailer : null));
                    }
                }
            }
            finally
            {
                if (!queued)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    _budget.Release(budgeted);
                }
            }

            if (!queued)
            {
                ThrowIfClosed();
            }

            if (after)
            {
                trailer = null; // the write loop releases it
            }
        }
        finally
        {
            // A part sent inside the frame was copied by the encoding; one sent after it is the write loop's now.
            trailer?.Dispose();
        }
    }

    // Detaches a block part given as a trailer from the frame. After: the peer reads parts after their frame, and the
    // write loop writes it from where it lies. Otherwise it goes inside the frame, wrapped (not copied) until encoded.
    private (TrailingBytes? Trailer, bool After) TakeTrailer(PeerFrame frame)
    {
        if (frame.BodyCase != PeerFrame.BodyOneofCase.BlockResponse || frame.BlockResponse.Trailer is not { } trailer)
        {
            return (null, false);
        }

        var part = frame.BlockResponse;
        part.Trailer = null;
        if (trailer.Length == 0 || trailer.Length > PeerFrameCodec.MaxBlockPartBytes)
        {
            trailer.Dispose();
            throw new ArgumentException($"a block part of {trailer.Length} bytes: 1 to {PeerFrameCodec.MaxBlockPartBytes} allowed", nameof(frame));
        }

        if (!_peerTakesTrailers)
        {
            part.Sealed = UnsafeByteOperations.UnsafeWrap(trailer.Memory);
            part.TrailingLength = 0;
            return (trailer, false);
        }

        part.Sealed = ByteString.Empty;
        part.TrailingLength = (uint)trailer.Length;
        return (trailer, true);
    }

    private static void DisposeTrailer(PeerFrame frame)
    {
        if (frame.BodyCase == PeerFrame.BodyOneofCase.BlockResponse)
        {
            frame.BlockResponse.Trailer?.Dispose();
        }
    }

    // Small frames written for the peer's sake (pongs, BUSY): outside the budget, so the read loop never waits, but
    // counted, so a peer that sends requests and never reads the answers is cut off.
    private void TryEnqueueControl(PeerFrame frame)
    {
        if (Interlocked.Increment(ref _controlFrames) > _options.MaxControlFrames)
        {
            Interlocked.Decrement(ref _controlFrames);
            ProtocolViolation(CloseReason.ProtocolError, "the peer sends requests without reading the answers");
            return;
        }

        var length = PeerFrameCodec.GetEncodedLength(frame);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        PeerFrameCodec.Encode(frame, buffer, _sendLimit);
        lock (_sendLock)
        {
            if (_close is null && _outgoing.Writer.TryWrite(new Outgoing(buffer, length, 0, IsControl: true)))
            {
                return;
            }
        }

        ArrayPool<byte>.Shared.Return(buffer);
        Interlocked.Decrement(ref _controlFrames);
    }

    private void ThrowIfClosed()
    {
        lock (_sendLock)
        {
            if (_close is not null)
            {
                throw Unavailable(_close);
            }
        }
    }

    // Records the first close; with sendClose the Close frame is queued last. Stops the read loop and fails waiting senders.
    private void MarkClosed(PeerCloseInfo close, bool sendClose)
    {
        lock (_sendLock)
        {
            if (_close is not null)
            {
                return;
            }

            _close = close;
            if (sendClose)
            {
                var frame = new PeerFrame { Close = new Close { Reason = close.Reason, Detail = close.Detail.Length > 512 ? close.Detail[..512] : close.Detail } };
                var length = PeerFrameCodec.GetEncodedLength(frame);
                var buffer = ArrayPool<byte>.Shared.Rent(length);
                PeerFrameCodec.Encode(frame, buffer);
                _outgoing.Writer.TryWrite(new Outgoing(buffer, length, 0, IsControl: false));
            }
            else
            {
                // The peer is gone or has closed: what is queued is dropped.
                _abortWrites = true;
            }

            _outgoing.Writer.TryComplete();
        }

        _budget.Fail(Unavailable(close));
        _closed.TrySetResult();
        try
        {
            _closing.Cancel();
        }
        catch (AggregateException e)
        {
            _logger.LogWarning(e, "peer connection {Connection}: a cancellation callback failed", this);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outgoing.Reader;
        var batch = ArrayPool<byte>.Shared.Rent(BatchBytes);
        var filled = 0;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                // What is queued now goes out in large sends; the flush below sends the rest before waiting again.
                _carrier.Gather();
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        if (_abortWrites)
                        {
                            continue;
                        }

                        if (filled > 0 && filled + item.Length > batch.Length)
                        {
                            await WriteAsync(batch.AsMemory(0, filled)).ConfigureAwait(false);
                            filled = 0;
                        }

                        if (item.Length > batch.Length)
                        {
                            await WriteAsync(item.Buffer.AsMemory(0, item.Length)).ConfigureAwait(false);
                        }
                        else
                        {
                            item.Buffer.AsSpan(0, item.Length).CopyTo(batch.AsSpan(filled));
                            filled += item.Length;
                        }

                        if (item.Trailer is { } trailer)
                        {
                            // After its frame, and from where it lies: no copy into the batch.
                            if (filled > 0)
                            {
                                await WriteAsync(batch.AsMemory(0, filled)).ConfigureAwait(false);
                                filled = 0;
                            }

                            await WriteAsync(trailer.Memory).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        Release(item);
                    }
                }

                if (filled > 0 && !_abortWrites)
                {
                    await WriteAsync(batch.AsMemory(0, filled)).ConfigureAwait(false);
                }

                filled = 0;
                if (!_abortWrites)
                {
                    await _carrier.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (!_abortWrites)
            {
                // Everything is written and the Close frame was last: end the TLS session so the peer sees a clean end.
                await _ssl.ShutdownAsync().ConfigureAwait(false);
                _socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Transport, CloseReason.Unspecified, "connection lost: " + e.Message), sendClose: false);
            _abortWrites = true;
            while (reader.TryRead(out var item))
            {
                Release(item);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        // Counted as the write starts, so the count never lags what the peer may already have received.
        Interlocked.Add(ref _bytesSent, bytes.Length);
        await _ssl.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
    }

    private void Release(Outgoing item)
    {
        ArrayPool<byte>.Shared.Return(item.Buffer);
        item.Trailer?.Dispose();
        if (item.Budgeted > 0)
        {
            _budget.Release(item.Budgeted);
        }

        if (item.IsControl)
        {
            Interlocked.Decrement(ref _controlFrames);
        }
    }

    private async Task KeepaliveLoopAsync()
    {
        var time = _options.TimeProvider;
        var check = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, Math.Min(_options.PingInterval.Ticks, _options.IdleTimeout.Ticks) / 2));
        var pinging = false;
        try
        {
            while (true)
            {
                await Task.Delay(check, time, _closing.Token).ConfigureAwait(false);
                var silent = time.GetElapsedTime(Volatile.Read(ref _lastReceived));
                if (silent >= _options.IdleTimeout)
                {
                    _logger.LogInformation("peer connection {Connection}: nothing received for {Seconds:0.#} s; closing", this, silent.TotalSeconds);
                    MarkClosed(new PeerCloseInfo(PeerCloseOrigin.Local, CloseReason.IdleTimeout, $"nothing received for {silent.TotalSeconds:0.#} s"), sendClose: true);
                    return;
                }

                if (silent >= _options.PingInterval && !pinging)
                {
                    pinging = true;
                    _ = PingQuietlyAsync().ContinueWith(_ => pinging = false, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The connection is closing.
        }
    }

    // A keepalive ping: its answer (any frame, really) resets the idle clock; a failure is the idle timeout's business.
    private async Task PingQuietlyAsync()
    {
        try
        {
            await PingAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerUnavailableException or OperationCanceledException or InvalidDataException)
        {
            _logger.LogDebug("peer connection {Connection}: keepalive ping failed: {Message}", this, e.Message);
        }
    }

    private static bool IsTransportFailure(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or AuthenticationException;

    private readonly record struct Outgoing(byte[] Buffer, int Length, int Budgeted, bool IsControl = false, TrailingBytes? Trailer = null);
}

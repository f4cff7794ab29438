using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Isg.Actors.Peers.Identity;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Peers;

/// <summary>
/// A hand-driven peer for tests: completes TLS 1.3 with its own certificate, then sends whatever the test says (frames
/// or raw bytes) and records every frame it receives, so a test can assert exactly what a node sent it.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SslStream _ssl;
    private readonly NodeIdentity _identity;
    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;

    private RawPeer(Socket socket, SslStream ssl, NodeIdentity identity, DeviceId remote)
    {
        _socket = socket;
        _ssl = ssl;
        _identity = identity;
        RemoteDevice = remote;
    }

    public DeviceId RemoteDevice { get; }

    public DeviceId DeviceId => _identity.DeviceId;

    public List<PeerFrame> Received { get; } = [];

    /// <summary>Connects to <paramref name="endpoint"/> as <paramref name="identity"/> and completes TLS (not Hello).</summary>
    public static async Task<RawPeer> ConnectAsync(IPEndPoint endpoint, NodeIdentity identity)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "isg",
            ClientCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return new RawPeer(socket, ssl, identity, DeviceId.FromCertificateDer(ssl.RemoteCertificate!.GetRawCertData()));
    }

    /// <summary>
    /// A Hello as the dialler, for <paramref name="repositoryId"/>, with a proof when a cluster key is given; it asks for
    /// block parts after their frames only when told (an older peer's Hello otherwise).
    /// </summary>
    public PeerFrame Hello(byte[] repositoryId, ReadOnlySpan<byte> clusterKey = default, bool trailingBlockParts = false)
    {
        var hello = new Hello
        {
            DeviceId = ByteString.CopyFrom(DeviceId.Hash.ToArray()),
            DeviceName = "raw",
            ClientVersion = "raw/1",
            RepositoryId = ByteString.CopyFrom(repositoryId),
            MaxFrameBytes = PeerFrameCodec.MaxFrameBytes,
            TrailingBlockParts = trailingBlockParts,
        };
        if (!clusterKey.IsEmpty)
        {
            var proof = new byte[ClusterProof.Length];
            ClusterProof.Compute(clusterKey, DeviceId, RemoteDevice, PeerRole.Dialler, proof);
            hello.ClusterProof = ByteString.CopyFrom(proof);
        }

        return new PeerFrame { Hello = hello };
    }

    public Task SendAsync(PeerFrame frame) => SendBytesAsync(PeerFrameCodec.ToBytes(frame));

    /// <summary>True once a send failed because the node had closed the connection.</summary>
    public bool SendFailed { get; private set; }

    /// <summary>Writes <paramref name="bytes"/>; a connection the node already closed is recorded in <see cref="SendFailed"/>.</summary>
    public async Task SendBytesAsync(byte[] bytes)
    {
        try
        {
            await _ssl.WriteAsync(bytes);
            await _ssl.FlushAsync();
        }
        catch (IOException)
        {
            SendFailed = true;
        }
    }

    /// <summary>Ends the sending direction (TLS close_notify, then TCP FIN); receiving goes on.</summary>
    public async Task ShutdownSendAsync()
    {
        await _ssl.ShutdownAsync();
        _socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The next frame; null at the end of the stream (or when the connection broke).</summary>
    public async Task<PeerFrame?> ReadFrameAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            var status = PeerFrameCodec.TryDecode(_buffer.AsSpan(0, _filled), PeerFrameCodec.MaxFrameBytes, out var frame, out int consumed, out var error);
            if (status == DecodeStatus.Done)
            {
                _buffer.AsSpan(consumed, _filled - consumed).CopyTo(_buffer);
                _filled -= consumed;
                Received.Add(frame!);
                return frame;
            }

            Assert.True(status == DecodeStatus.NeedMoreData, $"the node sent an invalid frame: {error}");
            if (_filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int read;
            try
            {
                read = await _ssl.ReadAsync(_buffer.AsMemory(_filled), timeout.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                Assert.True(_filled == 0, "the stream ended inside a frame");
                return null;
            }

            _filled += read;
        }
    }

    /// <summary>The next <paramref name="count"/> bytes after the frames read so far (a block part's trailing bytes).</summary>
    public async Task<byte[]> ReadBytesAsync(int count, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var bytes = new byte[count];
        var have = Math.Min(count, _filled);
        _buffer.AsSpan(0, have).CopyTo(bytes);
        _buffer.AsSpan(have, _filled - have).CopyTo(_buffer);
        _filled -= have;
        while (have < count)
        {
            var read = await _ssl.ReadAsync(bytes.AsMemory(have), timeout.Token);
            Assert.True(read > 0, $"the stream ended after {have} of {count} trailing bytes");
            have += read;
        }

        return bytes;
    }

    /// <summary>Every frame until the end of the stream, answering pings unless told otherwise.</summary>
    public async Task<List<PeerFrame>> ReadToEndAsync(TimeSpan within, bool answerPings = false)
    {
        var frames = new List<PeerFrame>();
        while (await ReadFrameAsync(within) is { } frame)
        {
            frames.Add(frame);
            if (answerPings && frame.BodyCase == PeerFrame.BodyOneofCase.Ping)
            {
                await SendAsync(new PeerFrame { RequestId = frame.RequestId, IsResponse = true, Pong = new Pong { Nonce = frame.Ping.Nonce } });
            }
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _socket.Dispose();
    }
}

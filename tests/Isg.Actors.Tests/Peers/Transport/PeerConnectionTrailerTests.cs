using Google.Protobuf;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Storage;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Isg.TestKit;

namespace Isg.Actors.Tests.Peers.Transport;

/// <summary>
/// Block parts that travel after their frame (BlockResponse.trailing_length), over real TLS sockets on 127.0.0.1:
/// between two nodes, to a peer whose Hello did not ask for them, and malformed ones from a hand-driven peer.
/// </summary>
public sealed class PeerConnectionTrailerTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RequestAsync_PartsAsTrailers_ArriveIntactLargeOnesAlignedAndTheSendersLeasesEnd()
    {
        var sizes = new[] { 1, 4095, 4097, 300_001, PeerFrameCodec.MaxBlockPartBytes };
        var leases = new List<Lease>();
        var handler = new DelegateHandler((_, request, _) =>
        {
            var payload = Payload((int)request.BlockRequest.Offset);
            var lease = new Lease();
            lock (leases)
            {
                leases.Add(lease);
            }

            return ValueTask.FromResult(new PeerFrame
            {
                BlockResponse = new BlockResponse { Offset = request.BlockRequest.Offset, Trailer = new TrailingBytes(payload, lease) },
            });
        });
        var (a, b, dialled, accepted) = await ConnectPairAsync(handler);
        await using var aScope = a;
        await using var bScope = b;

        // Pipelined: frames and trailers of several answers share the connection and must not interleave.
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => sizes)
            .Select(size => dialled.RequestAsync(DelegateHandler.Request((ulong)size), CancellationToken.None)));

        foreach (var answer in answers)
        {
            var part = answer.BlockResponse;
            using var trailer = part.Trailer;
            Assert.NotNull(trailer);
            Assert.True(part.Sealed.IsEmpty);
            Assert.Equal(part.Offset, part.TrailingLength);
            Assert.True(trailer.Memory.Span.SequenceEqual(Payload((int)part.Offset)), $"the part of {part.Offset} bytes differs");
            if (part.Offset >= DirectFileIo.MinimumLength)
            {
                // Large parts land where a direct-I/O store can write them as they are.
                Assert.Equal(0, AddressOf(trailer.Memory) % AlignedBuffer.Alignment);
            }
        }

        await Task.WhenAll(leases.Select(l => l.Released.Task)).WaitAsync(s_within);
        Assert.Equal(answers.Length, leases.Count);
        Assert.Equal(accepted.BytesSent, dialled.BytesReceived);
    }

    [Fact]
    public async Task RequestAsync_FromAPeerThatDidNotAskForTrailers_GetsThePartInsideTheFrame()
    {
        var payload = Payload(100_000);
        var lease = new Lease();
        var (node, raw, _) = await ConnectRawAsync(
            AnsweringEveryRequestWith(payload, lease),
            trailingBlockParts: false);
        await using var nodeScope = node;
        await using var rawScope = raw;

        await raw.SendAsync(new PeerFrame { RequestId = 1, BlockRequest = new BlockRequest() });
        var answer = await raw.ReadFrameAsync(s_within);

        Assert.Equal(0u, answer!.BlockResponse.TrailingLength);
        Assert.Equal(payload, answer.BlockResponse.Sealed.ToByteArray());
        await lease.Released.Task.WaitAsync(s_within);
    }

    [Fact]
    public async Task RequestAsync_FromAPeerThatAskedForTrailers_TheBytesFollowTheFrameOnTheWire()
    {
        var payload = Payload(70_000);
        var (node, raw, _) = await ConnectRawAsync(
            AnsweringEveryRequestWith(payload, null),
            trailingBlockParts: true);
        await using var nodeScope = node;
        await using var rawScope = raw;

        await raw.SendAsync(new PeerFrame { RequestId = 1, BlockRequest = new BlockRequest() });
        var answer = await raw.ReadFrameAsync(s_within);
        var trailing = await raw.ReadBytesAsync((int)answer!.BlockResponse.TrailingLength, s_within);
        await raw.SendAsync(new PeerFrame { RequestId = 3, Ping = new Ping { Nonce = 5 } });
        var pong = await raw.ReadFrameAsync(s_within);

        Assert.True(answer.BlockResponse.Sealed.IsEmpty);
        Assert.Equal(payload, trailing);
        Assert.Equal(5UL, pong!.Pong.Nonce);
    }

    [Fact]
    public async Task Read_TrailerArrivingInPieces_IsAssembledBehindItsFrame()
    {
        var payload = Payload(50_000);
        var (node, raw, connection) = await ConnectRawAsync(trailingBlockParts: true);
        await using var nodeScope = node;
        await using var rawScope = raw;

        var asking = connection.RequestAsync(DelegateHandler.Request(0), CancellationToken.None);
        var request = await raw.ReadFrameAsync(s_within);
        await raw.SendAsync(new PeerFrame
        {
            RequestId = request!.RequestId,
            IsResponse = true,
            BlockResponse = new BlockResponse { TotalLength = (ulong)payload.Length, TrailingLength = (uint)payload.Length },
        });
        foreach (var range in new[] { 0..1, 1..20_000, 20_000..payload.Length })
        {
            await raw.SendBytesAsync(payload[range]);
        }

        var answer = await asking.WaitAsync(s_within);
        using var trailer = answer.BlockResponse.Trailer;
        Assert.Equal(payload, trailer!.Memory.ToArray());
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Read_MalformedTrailers_ClosedWithProtocolError()
    {
        var cases = new (string Name, Func<ulong, PeerFrame> Frame)[]
        {
            ("longer than a part", id => Answer(id, new BlockResponse { TrailingLength = PeerFrameCodec.MaxBlockPartBytes + 1 })),
            ("inside and after the frame", id => Answer(id, new BlockResponse { Sealed = ByteString.CopyFrom(1, 2, 3), TrailingLength = 3 })),
            ("after a frame that is no answer", _ => new PeerFrame { BlockResponse = new BlockResponse { TrailingLength = 3 } }),
        };
        foreach (var (name, frame) in cases)
        {
            var (node, raw, connection) = await ConnectRawAsync(trailingBlockParts: true);
            await using (node)
            await using (raw)
            {
                var asking = connection.RequestAsync(DelegateHandler.Request(0), CancellationToken.None);
                var request = await raw.ReadFrameAsync(s_within);
                await raw.SendAsync(frame(request!.RequestId));
                await raw.SendBytesAsync([1, 2, 3]);

                var close = await connection.Completion.WaitAsync(s_within);
                Assert.True(close.Reason == CloseReason.ProtocolError, $"{name}: closed with {close}");
                await Assert.ThrowsAsync<PeerUnavailableException>(() => asking.WaitAsync(s_within));
            }
        }
    }

    [Fact]
    public async Task Read_ConnectionEndsInsideATrailer_ClosedAndTheRequestFails()
    {
        var (node, raw, connection) = await ConnectRawAsync(trailingBlockParts: true);
        await using var nodeScope = node;
        await using var rawScope = raw;

        var asking = connection.RequestAsync(DelegateHandler.Request(0), CancellationToken.None);
        var request = await raw.ReadFrameAsync(s_within);
        await raw.SendAsync(Answer(request!.RequestId, new BlockResponse { TrailingLength = 1000 }));
        await raw.SendBytesAsync(new byte[10]);
        await raw.ShutdownSendAsync();

        var close = await connection.Completion.WaitAsync(s_within);
        Assert.Equal(PeerCloseOrigin.Transport, close.Origin);
        Assert.Contains("inside a frame", close.Detail, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PeerUnavailableException>(() => asking.WaitAsync(s_within));
    }

    private static PeerFrame Answer(ulong requestId, BlockResponse part) => new() { RequestId = requestId, IsResponse = true, BlockResponse = part };

    private static byte[] Payload(int length) => SampleData.RandomBytes(length, seed: length);

    private static long AddressOf(ReadOnlyMemory<byte> memory)
    {
        using var pin = memory.Pin();
        unsafe
        {
            return (long)pin.Pointer;
        }
    }

    private static async Task<(TestPeerNode A, TestPeerNode B, PeerConnection Dialled, PeerConnection Accepted)> ConnectPairAsync(IPeerInboundHandler handler)
    {
        var repository = TestPeerNode.NewRepositoryId();
        var a = new TestPeerNode(repository, name: "alpha");
        var b = new TestPeerNode(repository, name: "beta");
        a.PairWith(b);
        a.Listen(handler);
        var dialled = await b.DialAsync(a, new DelegateHandler(), expected: a.DeviceId);
        var accepted = await a.NextAcceptedAsync(s_within);
        return (a, b, dialled, accepted);
    }

    private static async Task<(TestPeerNode Node, RawPeer Raw, PeerConnection Connection)> ConnectRawAsync(
        IPeerInboundHandler? handler = null, bool trailingBlockParts = false)
    {
        var connected = await PeerConnectionTests.ConnectRawAsync(handler, trailingBlockParts: trailingBlockParts);
        Assert.True(connected.Raw.Received[0].Hello.TrailingBlockParts, "a node always asks for trailing block parts");
        return connected;
    }

    // A node's handler that answers every request with payload as a block part, kept alive by lease.
    private static DelegateHandler AnsweringEveryRequestWith(byte[] payload, IDisposable? lease) =>
        new((_, _, _) => ValueTask.FromResult(new PeerFrame { BlockResponse = new BlockResponse { Trailer = new TrailingBytes(payload, lease) } }));

    // Stands for whatever keeps a sent part's bytes alive; released once the connection is done with them.
    private sealed class Lease : IDisposable
    {
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => Released.TrySetResult();
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Security;
using Google.Protobuf;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Tests.Peers.Transport;

/// <summary>Two transports over real TLS sockets on 127.0.0.1, or a transport and a hand-driven <see cref="RawPeer"/>.</summary>
public sealed class PeerConnectionTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Handshake_PairedDevices_ConnectExchangeHelloAndAnswerRequests()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository, name: "alpha");
        await using var b = new TestPeerNode(repository, name: "beta");
        a.PairWith(b);
        a.Listen(new DelegateHandler());

        var dialled = await b.DialAsync(a, new DelegateHandler(), expected: a.DeviceId);
        var accepted = await a.NextAcceptedAsync(s_within);

        Assert.Equal(a.DeviceId, dialled.Remote);
        Assert.Equal(b.DeviceId, accepted.Remote);
        Assert.Equal("alpha", dialled.RemoteName);
        Assert.Equal("beta", accepted.RemoteName);
        Assert.Equal(PeerRole.Dialler, dialled.Role);
        Assert.Equal(PeerRole.Acceptor, accepted.Role);
        Assert.Equal(PeerTrust.Paired, dialled.Trust);
        Assert.Equal(PeerTrust.Paired, accepted.Trust);
        Assert.StartsWith("isg/", dialled.RemoteClientVersion, StringComparison.Ordinal);
        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, dialled.CipherSuite);
        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, accepted.CipherSuite);

        var answer = await dialled.RequestAsync(DelegateHandler.Request(42), CancellationToken.None);
        Assert.True(answer.IsResponse);
        Assert.Equal(42UL, answer.BlockResponse.Offset);
        Assert.Equal(1UL, answer.RequestId % 2);
        var back = await accepted.RequestAsync(DelegateHandler.Request(7), CancellationToken.None);
        Assert.Equal(7UL, back.BlockResponse.Offset);
        Assert.Equal(0UL, back.RequestId % 2);
        Assert.True(await dialled.PingAsync(CancellationToken.None) >= TimeSpan.Zero);
        Assert.True(dialled.BytesSent > 0 && dialled.BytesReceived > 0);
        Assert.Equal(dialled.BytesSent, accepted.BytesReceived);
    }

    [Fact]
    public async Task Handshake_UnknownDevice_ReceivesOnlyCloseUntrusted()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var node = new TestPeerNode(repository);
        node.Listen(new DelegateHandler());
        using var stranger = NodeIdentity.Create("stranger");

        await using var raw = await RawPeer.ConnectAsync(node.EndPoint, stranger);
        await raw.SendAsync(raw.Hello(repository));
        await raw.SendAsync(new PeerFrame { RequestId = 1, OperationsRequest = new OperationsRequest { MaxOperations = 10 } });
        var frames = await raw.ReadToEndAsync(s_within);

        // Not even the node's Hello: a single Close, then the end of the stream.
        var close = Assert.Single(frames);
        Assert.Equal(PeerFrame.BodyOneofCase.Close, close.BodyCase);
        Assert.Equal(CloseReason.UntrustedDevice, close.Close.Reason);
        Assert.Contains(stranger.DeviceId.ToString(), close.Close.Detail, StringComparison.Ordinal);
        var refusal = Assert.IsType<PeerHandshakeException>(await node.NextRefusalAsync(s_within));
        Assert.Equal((PeerCloseOrigin.Local, CloseReason.UntrustedDevice), (refusal.Origin, refusal.Reason));
    }

    [Fact]
    public async Task Handshake_UnknownDialler_GetsHandshakeExceptionFromRemote()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        b.Trust.Pair(a.DeviceId);
        a.Listen(new DelegateHandler());

        var refused = await Assert.ThrowsAsync<PeerHandshakeException>(() => b.DialAsync(a, new DelegateHandler()));

        Assert.Equal((PeerCloseOrigin.Remote, CloseReason.UntrustedDevice), (refused.Origin, refused.Reason));
        var local = Assert.IsType<PeerHandshakeException>(await a.NextRefusalAsync(s_within));
        Assert.Equal(CloseReason.UntrustedDevice, local.Reason);
    }

    [Fact]
    public async Task Handshake_DiallerDoesNotTrustTheAcceptor_RefusesBeforeSendingHello()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.Trust.Pair(b.DeviceId);
        a.Listen(new DelegateHandler());

        var refused = await Assert.ThrowsAsync<PeerHandshakeException>(() => b.DialAsync(a, new DelegateHandler()));

        Assert.Equal((PeerCloseOrigin.Local, CloseReason.UntrustedDevice), (refused.Origin, refused.Reason));
        // The acceptor got Close where it expected Hello.
        var remote = Assert.IsType<PeerHandshakeException>(await a.NextRefusalAsync(s_within));
        Assert.Equal((PeerCloseOrigin.Remote, CloseReason.UntrustedDevice), (remote.Origin, remote.Reason));
    }

    [Fact]
    public async Task Handshake_ExpectedDeviceDiffers_Refused()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.PairWith(b);
        a.Listen(new DelegateHandler());

        var refused = await Assert.ThrowsAsync<PeerHandshakeException>(() => b.DialAsync(a, new DelegateHandler(), expected: b.DeviceId));

        Assert.Equal(CloseReason.UntrustedDevice, refused.Reason);
        Assert.Contains("expected device", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_WrongRepositoryId_RefusedWithRepositoryMismatchBothWays()
    {
        await using var a = new TestPeerNode(TestPeerNode.NewRepositoryId());
        await using var b = new TestPeerNode(TestPeerNode.NewRepositoryId());
        a.PairWith(b);
        a.Listen(new DelegateHandler());

        var refused = await Assert.ThrowsAsync<PeerHandshakeException>(() => b.DialAsync(a, new DelegateHandler()));
        Assert.Equal((PeerCloseOrigin.Remote, CloseReason.RepositoryMismatch), (refused.Origin, refused.Reason));

        // A raw peer of another repository receives Close only: no Hello, no catalogue data.
        await using var raw = await RawPeer.ConnectAsync(a.EndPoint, b.Identity);
        await raw.SendAsync(raw.Hello(b.RepositoryId));
        var close = Assert.Single(await raw.ReadToEndAsync(s_within));
        Assert.Equal(CloseReason.RepositoryMismatch, close.Close.Reason);
    }

    [Fact]
    public async Task Handshake_SameClusterSecret_AcceptsWithoutPairing()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.Trust.UseClusterSecret("home lab secret 0123", repository);
        b.Trust.UseClusterSecret("home lab secret 0123", repository);
        a.Listen(new DelegateHandler());

        var dialled = await b.DialAsync(a, new DelegateHandler());
        var accepted = await a.NextAcceptedAsync(s_within);

        Assert.Equal(PeerTrust.Cluster, dialled.Trust);
        Assert.Equal(PeerTrust.Cluster, accepted.Trust);
        Assert.Equal(5UL, (await dialled.RequestAsync(DelegateHandler.Request(5), CancellationToken.None)).BlockResponse.Offset);
    }

    [Fact]
    public async Task Handshake_WrongClusterSecret_RefusedAndTheAcceptorNeverProvesItsOwn()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.Trust.UseClusterSecret("home lab secret 0123", repository);
        b.Trust.UseClusterSecret("home lab secret 0124", repository);
        a.Listen(new DelegateHandler());

        var refused = await Assert.ThrowsAsync<PeerHandshakeException>(() => b.DialAsync(a, new DelegateHandler()));
        Assert.Equal((PeerCloseOrigin.Remote, CloseReason.UntrustedDevice), (refused.Origin, refused.Reason));

        var wrongKey = new byte[32];
        ClusterProof.DeriveKey("home lab secret 0124", repository, wrongKey);
        await using var raw = await RawPeer.ConnectAsync(a.EndPoint, b.Identity);
        await raw.SendAsync(raw.Hello(repository, wrongKey));
        var close = Assert.Single(await raw.ReadToEndAsync(s_within));
        Assert.Equal(CloseReason.UntrustedDevice, close.Close.Reason);
    }

    [Fact]
    public async Task Handshake_NonHelloFirst_ClosedWithProtocolError()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var node = new TestPeerNode(repository);
        using var peer = NodeIdentity.Create();
        node.Trust.Pair(peer.DeviceId);
        node.Listen(new DelegateHandler());

        await using var raw = await RawPeer.ConnectAsync(node.EndPoint, peer);
        await raw.SendAsync(new PeerFrame { Ping = new Ping { Nonce = 1 } });

        var close = Assert.Single(await raw.ReadToEndAsync(s_within));
        Assert.Equal(CloseReason.ProtocolError, close.Close.Reason);
    }

    [Fact]
    public async Task Handshake_HelloWithAnotherDevicesId_ClosedWithProtocolError()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var node = new TestPeerNode(repository);
        using var peer = NodeIdentity.Create();
        node.Trust.Pair(peer.DeviceId);
        node.Listen(new DelegateHandler());

        await using var raw = await RawPeer.ConnectAsync(node.EndPoint, peer);
        var hello = raw.Hello(repository);
        hello.Hello.DeviceId = ByteString.CopyFrom(node.DeviceId.Hash.ToArray());
        await raw.SendAsync(hello);

        var close = Assert.Single(await raw.ReadToEndAsync(s_within));
        Assert.Equal(CloseReason.ProtocolError, close.Close.Reason);
        Assert.Contains("certificate", close.Close.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_ThousandPipelinedBothWays_AnsweredOutOfOrderAndAllMatch()
    {
        const int Count = 1000;
        var repository = TestPeerNode.NewRepositoryId();
        var options = PeerTransportOptions.Default with { MaxConcurrentRequests = Count };
        await using var a = new TestPeerNode(repository, options);
        await using var b = new TestPeerNode(repository, options);
        a.PairWith(b);

        // Each side holds every request until all have arrived, then answers them last first (see also
        // Requests_AnsweredLastFirst_WireOrderIsReversedAndIdsMatch for the order on the wire).
        var aHandler = new ReversingHandler(Count);
        var bHandler = new ReversingHandler(Count);
        a.Listen(aHandler);
        var dialled = await b.DialAsync(a, bHandler);
        var accepted = await a.NextAcceptedAsync(s_within);

        var fromB = RunRequestsAsync(dialled, Count);
        var fromA = RunRequestsAsync(accepted, Count);
        var (answersB, orderB) = await fromB.WaitAsync(s_within);
        var (answersA, orderA) = await fromA.WaitAsync(s_within);

        foreach (var (answers, order) in new[] { (answersB, orderB), (answersA, orderA) })
        {
            Assert.Equal(Count, answers.Count);
            Assert.All(answers, pair => Assert.Equal(pair.Key, pair.Value));
            Assert.Equal(Count, order.Distinct().Count());
        }

        Assert.Equal(Count, aHandler.Answered);
        Assert.Equal(Count, bHandler.Answered);

        Assert.Equal(0, dialled.PendingRequests);
        Assert.True(dialled.IsOpen && accepted.IsOpen);
    }

    [Fact]
    public async Task Requests_AnsweredLastFirst_WireOrderIsReversedAndIdsMatch()
    {
        const int Count = 200;
        var handler = new ReversingHandler(Count, stepwise: true);
        var (node, raw, _) = await ConnectRawAsync(handler, PeerTransportOptions.Default with { MaxConcurrentRequests = Count });
        await using var nodeScope = node;
        await using var rawScope = raw;

        // Pipelined: every request is written before any answer is read.
        for (var i = 0; i < Count; i++)
        {
            await raw.SendAsync(new PeerFrame { RequestId = (ulong)((2 * i) + 1), BlockRequest = new BlockRequest { Offset = (ulong)i } });
        }

        // The node answers the newest held request each time the peer says it has read the previous answer.
        var answers = new List<PeerFrame>();
        for (var i = 0; i < Count; i++)
        {
            answers.Add((await raw.ReadFrameAsync(s_within))!);
            await raw.SendAsync(new PeerFrame { HaveBlocks = new HaveBlocks() });
        }

        Assert.All(answers, a => Assert.Equal((a.BlockResponse.Offset * 2) + 1, a.RequestId));
        Assert.All(answers, a => Assert.True(a.IsResponse));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (ulong)(Count - 1 - i)), answers.Select(a => a.BlockResponse.Offset));
    }

    [Fact]
    public async Task Read_OversizeFrame_ClosedWithFrameTooLarge()
    {
        var (node, raw, connection) = await ConnectRawAsync();
        await using var nodeScope = node;
        await using var rawScope = raw;

        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 16 * 1024 * 1024);
        await raw.SendBytesAsync(prefix);

        var frames = await raw.ReadToEndAsync(s_within);
        Assert.Equal(CloseReason.FrameTooLarge, frames[^1].Close.Reason);
        var close = await connection.Completion.WaitAsync(s_within);
        Assert.Equal((PeerCloseOrigin.Local, CloseReason.FrameTooLarge), (close.Origin, close.Reason));
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Read_FuzzedBytesAfterTheHandshake_NeverCrashAndCloseWithAReason()
    {
        var valid = PeerFrameCodec.ToBytes(new PeerFrame { RequestId = 1, OperationsRequest = new OperationsRequest { MaxOperations = 3 } });
        var random = new Random(20261);
        for (var round = 0; round < 24; round++)
        {
            byte[] bytes;
            switch (round % 3)
            {
                case 0:
                    bytes = new byte[random.Next(1, 300)];
                    random.NextBytes(bytes);
                    break;
                case 1:
                    bytes = (byte[])valid.Clone();
                    bytes[random.Next(4, bytes.Length)] = (byte)random.Next(256);
                    bytes[random.Next(4, bytes.Length)] = (byte)random.Next(256);
                    break;
                default:
                    var body = new byte[random.Next(1, 200)];
                    random.NextBytes(body);
                    bytes = [0, 0, 0, (byte)body.Length, .. body];
                    break;
            }

            var handled = new ConcurrentBag<PeerFrame>();
            var (node, raw, connection) = await ConnectRawAsync(new DelegateHandler(
                (_, request, _) =>
                {
                    handled.Add(request);
                    return ValueTask.FromResult(new PeerFrame { OperationsResponse = new OperationsResponse() });
                },
                (_, message, _) =>
                {
                    handled.Add(message);
                    return ValueTask.CompletedTask;
                }));
            await using (node)
            await using (raw)
            {
                await raw.SendBytesAsync(bytes);
                await raw.ShutdownSendAsync();
                var frames = await raw.ReadToEndAsync(s_within, answerPings: true);
                var close = await connection.Completion.WaitAsync(s_within);

                // Either the bytes broke the protocol (the node said why, last) or they were frames and the stream ended.
                if (close.Origin == PeerCloseOrigin.Local)
                {
                    Assert.Contains(close.Reason, new[] { CloseReason.ProtocolError, CloseReason.FrameTooLarge });
                    Assert.Equal(close.Reason, frames[^1].Close.Reason);
                }
                else
                {
                    // The bytes parsed as frames (a Close among them, perhaps) and then the stream ended.
                    Assert.Contains(close.Origin, new[] { PeerCloseOrigin.Transport, PeerCloseOrigin.Remote });
                }

                Assert.All(handled, frame => Assert.NotEqual(PeerFrame.BodyOneofCase.Hello, frame.BodyCase));
            }
        }
    }

    [Fact]
    public async Task Read_SecondHello_ClosedWithProtocolError()
    {
        var (node, raw, connection) = await ConnectRawAsync();
        await using var nodeScope = node;
        await using var rawScope = raw;

        await raw.SendAsync(raw.Hello(node.RepositoryId));

        Assert.Equal(CloseReason.ProtocolError, (await raw.ReadToEndAsync(s_within))[^1].Close.Reason);
        Assert.Equal(CloseReason.ProtocolError, (await connection.Completion.WaitAsync(s_within)).Reason);
    }

    [Fact]
    public async Task Read_RequestWithTheNodesParityOrAnswerToNothing_ClosedWithProtocolError()
    {
        foreach (var frame in new[]
        {
            new PeerFrame { RequestId = 2, BlockRequest = new BlockRequest() },
            new PeerFrame { RequestId = 9, IsResponse = true, BlockResponse = new BlockResponse() },
            new PeerFrame { IsResponse = true, Pong = new Pong() },
        })
        {
            var (node, raw, connection) = await ConnectRawAsync();
            await using (node)
            await using (raw)
            {
                await raw.SendAsync(frame);
                Assert.Equal(CloseReason.ProtocolError, (await connection.Completion.WaitAsync(s_within)).Reason);
            }
        }
    }

    [Fact]
    public async Task Read_UnknownRequestAndUnknownMessage_BadRequestAndIgnored()
    {
        var (node, raw, connection) = await ConnectRawAsync();
        await using var nodeScope = node;
        await using var rawScope = raw;

        // A request with a body this version does not know (field 99), then a one-way one, then a ping.
        await raw.SendBytesAsync([0, 0, 0, 6, 0x08, 0x03, 0x9A, 0x06, 0x01, 0x00]);
        await raw.SendBytesAsync([0, 0, 0, 4, 0x9A, 0x06, 0x01, 0x00]);
        await raw.SendAsync(new PeerFrame { RequestId = 5, Ping = new Ping { Nonce = 77 } });

        var error = await raw.ReadFrameAsync(s_within);
        Assert.Equal((3UL, true, ErrorCode.BadRequest), (error!.RequestId, error.IsResponse, error.Error.Code));
        var pong = await raw.ReadFrameAsync(s_within);
        Assert.Equal((5UL, 77UL), (pong!.RequestId, pong.Pong.Nonce));
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task RequestAsync_MoreThanTheConcurrencyLimit_AnsweredBusy()
    {
        var repository = TestPeerNode.NewRepositoryId();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new SemaphoreSlim(0);
        await using var a = new TestPeerNode(repository, PeerTransportOptions.Default with { MaxConcurrentRequests = 2 });
        await using var b = new TestPeerNode(repository);
        a.PairWith(b);
        a.Listen(new DelegateHandler(async (_, request, _) =>
        {
            arrived.Release();
            await gate.Task;
            return DelegateHandler.Echo(request);
        }));
        var connection = await b.DialAsync(a, new DelegateHandler());

        var first = connection.RequestAsync(DelegateHandler.Request(1), CancellationToken.None);
        var second = connection.RequestAsync(DelegateHandler.Request(2), CancellationToken.None);
        Assert.True(await arrived.WaitAsync(s_within) && await arrived.WaitAsync(s_within));
        var third = await connection.RequestAsync(DelegateHandler.Request(3), CancellationToken.None);

        Assert.Equal(ErrorCode.Busy, third.Error.Code);
        gate.SetResult();
        Assert.Equal(1UL, (await first).BlockResponse.Offset);
        Assert.Equal(2UL, (await second).BlockResponse.Offset);
    }

    [Fact]
    public async Task RequestAsync_HandlerThrows_AnsweredInternalAndConnectionStaysUp()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.PairWith(b);
        a.Listen(new DelegateHandler((_, request, _) => request.BlockRequest.Offset == 13
            ? throw new InvalidOperationException("unlucky")
            : ValueTask.FromResult(DelegateHandler.Echo(request))));
        var connection = await b.DialAsync(a, new DelegateHandler());

        var failed = await connection.RequestAsync(DelegateHandler.Request(13), CancellationToken.None);
        var fine = await connection.RequestAsync(DelegateHandler.Request(14), CancellationToken.None);

        Assert.Equal(ErrorCode.Internal, failed.Error.Code);
        Assert.DoesNotContain("unlucky", failed.Error.Message, StringComparison.Ordinal);
        Assert.Equal(14UL, fine.BlockResponse.Offset);
    }

    [Fact]
    public async Task RequestAsync_Cancelled_ThrowsAndTheLateAnswerIsDropped()
    {
        var repository = TestPeerNode.NewRepositoryId();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.PairWith(b);
        a.Listen(new DelegateHandler(async (_, request, _) =>
        {
            if (request.BlockRequest.Offset == 1)
            {
                await gate.Task;
            }

            return DelegateHandler.Echo(request);
        }));
        var connection = await b.DialAsync(a, new DelegateHandler());
        using var cancel = new CancellationTokenSource();

        var slow = connection.RequestAsync(DelegateHandler.Request(1), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
        gate.SetResult();

        Assert.Equal(2UL, (await connection.RequestAsync(DelegateHandler.Request(2), CancellationToken.None)).BlockResponse.Offset);
        Assert.Equal(0, connection.PendingRequests);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task CloseAsync_WithReason_PeerSeesItAndPendingRequestsFail()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.PairWith(b);
        var never = new TaskCompletionSource<PeerFrame>();
        a.Listen(new DelegateHandler((_, _, _) => new ValueTask<PeerFrame>(never.Task)));
        var dialled = await b.DialAsync(a, new DelegateHandler());
        var accepted = await a.NextAcceptedAsync(s_within);
        var pending = dialled.RequestAsync(DelegateHandler.Request(1), CancellationToken.None);

        var local = await accepted.CloseAsync(CloseReason.ShuttingDown, "maintenance").WaitAsync(s_within);
        var remote = await dialled.Completion.WaitAsync(s_within);

        Assert.Equal(new PeerCloseInfo(PeerCloseOrigin.Local, CloseReason.ShuttingDown, "maintenance"), local);
        Assert.Equal(new PeerCloseInfo(PeerCloseOrigin.Remote, CloseReason.ShuttingDown, "maintenance"), remote);
        var failed = await Assert.ThrowsAsync<PeerUnavailableException>(() => pending);
        Assert.Equal(a.DeviceId, failed.Peer);
        Assert.Equal(CloseReason.ShuttingDown, Assert.IsType<PeerConnectionClosedException>(failed.InnerException).Close.Reason);
        await Assert.ThrowsAsync<PeerUnavailableException>(() => dialled.SendAsync(new PeerFrame { HaveBlocks = new HaveBlocks() }, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<PeerUnavailableException>(() => dialled.RequestAsync(DelegateHandler.Request(1), CancellationToken.None));
        Assert.Same(local, await accepted.CloseAsync(CloseReason.Normal, "again"));
    }

    [Fact]
    public async Task SendAsync_OneWayMessages_ArriveInOrder()
    {
        var repository = TestPeerNode.NewRepositoryId();
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository);
        a.PairWith(b);
        var handler = new DelegateHandler();
        a.Listen(handler);
        var connection = await b.DialAsync(a, new DelegateHandler());

        for (var i = 0; i < 500; i++)
        {
            await connection.SendAsync(new PeerFrame { HaveBlocks = new HaveBlocks { BlockIds = { ByteString.CopyFrom(BitConverter.GetBytes(i)) } } }, CancellationToken.None);
        }

        for (var i = 0; i < 500; i++)
        {
            var message = await handler.Messages.Reader.ReadAsync().AsTask().WaitAsync(s_within);
            Assert.Equal(0UL, message.RequestId);
            Assert.Equal(i, BitConverter.ToInt32(message.HaveBlocks.BlockIds[0].Span));
        }
    }

    [Fact]
    public async Task SendAsync_PeerStopsReading_QueueStaysBoundedThenDrains()
    {
        const int QueueBytes = 256 * 1024;
        var repository = TestPeerNode.NewRepositoryId();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = new TestPeerNode(repository);
        await using var b = new TestPeerNode(repository, PeerTransportOptions.Default with { SendQueueBytes = QueueBytes });
        a.PairWith(b);
        var received = 0;
        // The first message blocks a's read loop: a reads nothing more until the gate opens.
        a.Listen(new DelegateHandler(onMessage: async (_, _, _) =>
        {
            Interlocked.Increment(ref received);
            await gate.Task;
        }));
        var connection = await b.DialAsync(a, new DelegateHandler());
        var payload = ByteString.CopyFrom(new byte[64 * 1024]);

        // Far more than the socket buffers and the queue hold together: sending must stall, not buffer it all.
        var sends = new List<Task>();
        Task? stalled = null;
        for (var i = 0; i < 4096 && stalled is null; i++)
        {
            var send = connection.SendAsync(new PeerFrame { BlockResponse = new BlockResponse { Sealed = payload } }, CancellationToken.None).AsTask();
            sends.Add(send);
            if (!send.IsCompleted && await Task.WhenAny(send, Task.Delay(TimeSpan.FromMilliseconds(500))) != send)
            {
                stalled = send;
            }
        }

        Assert.NotNull(stalled);
        Assert.True(connection.QueuedBytes <= QueueBytes + (70 * 1024), $"{connection.QueuedBytes} bytes queued");
        gate.SetResult();
        await Task.WhenAll(sends).WaitAsync(s_within);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Keepalive_SilentPeer_PingedThenClosedWithIdleTimeout()
    {
        var options = PeerTransportOptions.Default with { PingInterval = TimeSpan.FromMilliseconds(100), IdleTimeout = TimeSpan.FromMilliseconds(400) };
        var (node, raw, connection) = await ConnectRawAsync(options: options);
        await using var nodeScope = node;
        await using var rawScope = raw;

        var frames = await raw.ReadToEndAsync(s_within, answerPings: false);

        Assert.Contains(frames, f => f.BodyCase == PeerFrame.BodyOneofCase.Ping && f.RequestId != 0);
        Assert.Equal(CloseReason.IdleTimeout, frames[^1].Close.Reason);
        Assert.Equal(CloseReason.IdleTimeout, (await connection.Completion.WaitAsync(s_within)).Reason);
    }

    [Fact]
    public async Task Keepalive_AnsweringPeer_StaysConnected()
    {
        var repository = TestPeerNode.NewRepositoryId();
        // An idle timeout of a second: a busy test machine can stall a process for a few hundred milliseconds.
        var options = PeerTransportOptions.Default with { PingInterval = TimeSpan.FromMilliseconds(50), IdleTimeout = TimeSpan.FromSeconds(1) };
        await using var a = new TestPeerNode(repository, options);
        await using var b = new TestPeerNode(repository, options);
        a.PairWith(b);
        a.Listen(new DelegateHandler());
        var connection = await b.DialAsync(a, new DelegateHandler());

        // Three idle timeouts long, with nothing but pings on the wire.
        var ended = await Task.WhenAny(connection.Completion, Task.Delay(TimeSpan.FromSeconds(3)));

        Assert.NotSame(connection.Completion, ended);
        Assert.True(connection.BytesReceived > 200, $"{connection.BytesReceived} bytes received");
    }

    // A node with a hand-driven peer connected to it (Hello exchanged). trailingBlockParts: what the peer's Hello asks.
    internal static async Task<(TestPeerNode Node, RawPeer Raw, PeerConnection Connection)> ConnectRawAsync(
        IPeerInboundHandler? handler = null, PeerTransportOptions? options = null, bool trailingBlockParts = false)
    {
        var repository = TestPeerNode.NewRepositoryId();
        var node = new TestPeerNode(repository, options);
        var identity = NodeIdentity.Create("raw");
        node.Trust.Pair(identity.DeviceId);
        node.Listen(handler ?? new DelegateHandler());
        var raw = await RawPeer.ConnectAsync(node.EndPoint, identity);
        await raw.SendAsync(raw.Hello(repository, trailingBlockParts: trailingBlockParts));
        var hello = await raw.ReadFrameAsync(s_within);
        Assert.Equal(PeerFrame.BodyOneofCase.Hello, hello!.BodyCase);
        Assert.Equal(node.DeviceId.Hash.ToArray(), hello.Hello.DeviceId.ToByteArray());
        var connection = await node.NextAcceptedAsync(s_within);
        return (node, raw, connection);
    }

    private static async Task<(Dictionary<ulong, ulong> Answers, List<ulong> Order)> RunRequestsAsync(PeerConnection connection, int count)
    {
        var answers = new ConcurrentDictionary<ulong, ulong>();
        var order = new ConcurrentQueue<ulong>();
        var requests = Enumerable.Range(0, count).Select(async i =>
        {
            var answer = await connection.RequestAsync(DelegateHandler.Request((ulong)i), CancellationToken.None);
            answers[(ulong)i] = answer.BlockResponse.Offset;
            order.Enqueue((ulong)i);
        }).ToList();
        await Task.WhenAll(requests);
        return (new Dictionary<ulong, ulong>(answers), [.. order]);
    }

    /// <summary>
    /// Holds requests until <c>count</c> have arrived, then answers them in reverse arrival order: all at once, or with
    /// <c>stepwise</c> the newest at once and each next one when a one-way message comes (the peer read the last one).
    /// </summary>
    private sealed class ReversingHandler(int count, bool stepwise = false) : IPeerInboundHandler
    {
        private readonly Lock _lock = new();
        private readonly List<(PeerFrame Request, TaskCompletionSource<PeerFrame> Answer)> _held = [];
        private readonly Queue<(PeerFrame Request, TaskCompletionSource<PeerFrame> Answer)> _release = new();
        private int _answered;

        public int Answered => Volatile.Read(ref _answered);

        public ValueTask<PeerFrame> HandleRequestAsync(IPeerSession session, PeerFrame request, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<PeerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _held.Add((request, answer));
                if (_held.Count == count)
                {
                    foreach (var held in _held.OrderByDescending(h => h.Request.BlockRequest.Offset))
                    {
                        _release.Enqueue(held);
                    }
                }
            }

            if (_held.Count == count)
            {
                if (stepwise)
                {
                    ReleaseNext();
                }
                else
                {
                    while (ReleaseNext())
                    {
                    }
                }
            }

            return new ValueTask<PeerFrame>(answer.Task);
        }

        public ValueTask HandleMessageAsync(IPeerSession session, PeerFrame message, CancellationToken cancellationToken)
        {
            ReleaseNext();
            return ValueTask.CompletedTask;
        }

        private bool ReleaseNext()
        {
            (PeerFrame Request, TaskCompletionSource<PeerFrame> Answer) next;
            lock (_lock)
            {
                if (!_release.TryDequeue(out next))
                {
                    return false;
                }
            }

            Interlocked.Increment(ref _answered);
            next.Answer.SetResult(DelegateHandler.Echo(next.Request));
            return true;
        }
    }
}

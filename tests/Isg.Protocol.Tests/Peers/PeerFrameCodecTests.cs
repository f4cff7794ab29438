using System.Buffers;
using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Protocol.Tests.Peers;

public sealed class PeerFrameCodecTests
{
    public static TheoryData<string> SampleNames() => new(Samples().Keys);

    private static Dictionary<string, PeerFrame> Samples()
    {
        var deviceId = ByteString.CopyFrom(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        return new Dictionary<string, PeerFrame>(StringComparer.Ordinal)
        {
            ["hello"] = new()
            {
                Hello = new Hello
                {
                    DeviceId = deviceId,
                    DeviceName = "laptop",
                    ClientVersion = "isg/0.1.0",
                    RepositoryId = ByteString.CopyFrom(new byte[32]),
                    ClusterProof = ByteString.CopyFrom(Enumerable.Repeat((byte)7, 32).ToArray()),
                    MaxFrameBytes = PeerFrameCodec.MaxFrameBytes,
                },
            },
            ["empty frame"] = new(),
            ["ping request"] = new() { RequestId = 3, Ping = new Ping { Nonce = ulong.MaxValue } },
            ["pong response"] = new() { RequestId = 3, IsResponse = true, Pong = new Pong { Nonce = 12 } },
            ["close"] = new() { Close = new Close { Reason = CloseReason.ProtocolError, Detail = "bad frame ✗" } },
            ["error reply"] = new() { RequestId = 1UL << 40, IsResponse = true, Error = new ErrorReply { Code = ErrorCode.Busy, Message = "later" } },
            ["block response"] = new()
            {
                RequestId = 9,
                IsResponse = true,
                BlockResponse = new BlockResponse
                {
                    BlockId = deviceId,
                    Sealed = ByteString.CopyFrom(Enumerable.Range(0, 3_000).Select(i => (byte)(i * 31)).ToArray()),
                    Offset = 6_000,
                    TotalLength = 70_000,
                },
            },
            ["have blocks"] = new() { HaveBlocks = new HaveBlocks { BlockIds = { deviceId, deviceId }, FullRefresh = true } },
        };
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Encode_TryDecode_RoundTrips(string name)
    {
        var frame = Samples()[name];
        var bytes = PeerFrameCodec.ToBytes(frame);

        Assert.Equal(PeerFrameCodec.GetEncodedLength(frame), bytes.Length);
        Assert.Equal((uint)(bytes.Length - 4), BinaryPrimitives.ReadUInt32BigEndian(bytes));
        Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(bytes, PeerFrameCodec.MaxFrameBytes, out var decoded, out int consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(frame, decoded);

        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(bytes.Length, PeerFrameCodec.Encode(frame, writer));
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void TryDecode_EveryPrefix_NeedMoreDataUntilComplete(string name)
    {
        var bytes = PeerFrameCodec.ToBytes(Samples()[name]);
        for (var length = 0; length < bytes.Length; length++)
        {
            var status = PeerFrameCodec.TryDecode(bytes.AsSpan(0, length), PeerFrameCodec.MaxFrameBytes, out var frame, out int consumed, out var error);
            Assert.Equal(DecodeStatus.NeedMoreData, status);
            Assert.Null(frame);
            Assert.Equal(0, consumed);
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void TryDecode_SequenceSplitAtEveryOffset_DecodesTheSameFrame(string name)
    {
        var frame = Samples()[name];
        var bytes = PeerFrameCodec.ToBytes(frame);
        for (var split = 0; split <= bytes.Length; split++)
        {
            // Two segments, as a pipe hands over bytes that arrived in two reads.
            var sequence = TwoSegments(bytes, split);
            var first = PeerFrameCodec.TryDecode(sequence.Slice(0, split), PeerFrameCodec.MaxFrameBytes, out _, out long _, out _);
            Assert.Equal(split == bytes.Length ? DecodeStatus.Done : DecodeStatus.NeedMoreData, first);
            Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(sequence, PeerFrameCodec.MaxFrameBytes, out var decoded, out long consumed, out _));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(frame, decoded);
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void TryDecode_OneByteAtATime_DoneExactlyAtLastByte(string name)
    {
        var frame = Samples()[name];
        var bytes = PeerFrameCodec.ToBytes(frame);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var b in bytes)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, PeerFrameCodec.TryDecode(new ReadOnlySequence<byte>(buffer.WrittenMemory), PeerFrameCodec.MaxFrameBytes, out _, out long _, out _));
            buffer.Write<byte>([b]);
        }

        Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(new ReadOnlySequence<byte>(buffer.WrittenMemory), PeerFrameCodec.MaxFrameBytes, out var decoded, out long _, out _));
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void TryDecode_FramesBackToBack_ConsumesOneAtATime()
    {
        var samples = Samples().Values.ToList();
        byte[] bytes = [.. samples.SelectMany(f => PeerFrameCodec.ToBytes(f))];
        var rest = new ReadOnlySequence<byte>(bytes);
        foreach (var expected in samples)
        {
            Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(rest, PeerFrameCodec.MaxFrameBytes, out var frame, out long consumed, out _));
            Assert.Equal(expected, frame);
            rest = rest.Slice(consumed);
        }

        Assert.True(rest.IsEmpty);
    }

    public static TheoryData<string, byte[], ProtocolErrorKind, int> InvalidSamples() => new()
    {
        { "length above the limit", [0x00, 0x42, 0x00, 0x01], ProtocolErrorKind.TooLarge, 0 },
        { "length of four 0xFF", [0xFF, 0xFF, 0xFF, 0xFF], ProtocolErrorKind.TooLarge, 0 },
        { "tag zero", [0x00, 0x00, 0x00, 0x01, 0x00], ProtocolErrorKind.Malformed, 4 },
        { "field longer than the frame", [0x00, 0x00, 0x00, 0x03, 0x52, 0x20, 0x01], ProtocolErrorKind.Malformed, 4 },
        { "end group without a start", [0x00, 0x00, 0x00, 0x01, 0x0C], ProtocolErrorKind.Malformed, 4 },
        { "unterminated group", [0x00, 0x00, 0x00, 0x01, 0x0B], ProtocolErrorKind.Malformed, 4 },
        { "unterminated varint", [0x00, 0x00, 0x00, 0x02, 0x08, 0x80], ProtocolErrorKind.Malformed, 4 },
        { "hello whose field overruns", [0x00, 0x00, 0x00, 0x04, 0x52, 0x02, 0x0A, 0x05], ProtocolErrorKind.Malformed, 4 },
        { "ping of the wrong wire type", [0x00, 0x00, 0x00, 0x03, 0x5A, 0x01, 0x01], ProtocolErrorKind.Malformed, 4 },
    };

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void TryDecode_InvalidSample_InvalidWithKindAndOffset(string name, byte[] bytes, ProtocolErrorKind kind, int offset)
    {
        var status = PeerFrameCodec.TryDecode(bytes, PeerFrameCodec.MaxFrameBytes, out var frame, out int consumed, out var error);
        Assert.True(status == DecodeStatus.Invalid, $"{name}: {status}");
        Assert.Equal(kind, error.Kind);
        Assert.Equal(offset, error.Offset);
        Assert.Null(frame);
        Assert.Equal(0, consumed);

        // The sequence overload agrees, whatever the segmentation.
        for (var split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(DecodeStatus.Invalid, PeerFrameCodec.TryDecode(TwoSegments(bytes, split), PeerFrameCodec.MaxFrameBytes, out _, out long _, out var sequenceError));
            Assert.Equal(kind, sequenceError.Kind);
            Assert.Equal(offset, sequenceError.Offset);
        }
    }

    [Fact]
    public void TryReadLength_OversizePrefix_InvalidBeforeTheBodyArrives()
    {
        byte[] prefix = [0x01, 0x00, 0x00, 0x00];
        Assert.Equal(DecodeStatus.Invalid, PeerFrameCodec.TryReadLength(new ReadOnlySequence<byte>(prefix), PeerFrameCodec.MaxFrameBytes, out _, out var error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
        Assert.Contains("16777216", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_SmallerLimit_RefusesFramesAboveIt()
    {
        var bytes = PeerFrameCodec.ToBytes(Samples()["block response"]);
        Assert.Equal(DecodeStatus.Invalid, PeerFrameCodec.TryDecode(bytes, 2_000, out _, out int _, out var error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
        Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(bytes, bytes.Length - 4, out _, out int _, out _));
    }

    [Fact]
    public void Encode_FrameAboveTheLimit_Throws()
    {
        var frame = new PeerFrame { BlockResponse = new BlockResponse { Sealed = ByteString.CopyFrom(new byte[PeerFrameCodec.MaxFrameBytes]) } };
        Assert.Throws<ArgumentException>(() => PeerFrameCodec.Encode(frame, new ArrayBufferWriter<byte>()));
        var small = Samples()["ping request"];
        Assert.Throws<ArgumentException>(() => PeerFrameCodec.Encode(small, new byte[3]));
    }

    [Fact]
    public void TryDecode_MaximalBlockPart_FitsTheDefaultLimit()
    {
        var frame = new PeerFrame
        {
            RequestId = ulong.MaxValue,
            IsResponse = true,
            BlockResponse = new BlockResponse
            {
                BlockId = ByteString.CopyFrom(new byte[32]),
                Sealed = ByteString.CopyFrom(new byte[PeerFrameCodec.MaxBlockPartBytes]),
                Offset = ulong.MaxValue,
                TotalLength = ulong.MaxValue,
            },
        };
        var bytes = PeerFrameCodec.ToBytes(frame);
        Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(bytes, PeerFrameCodec.MaxFrameBytes, out var decoded, out int _, out _));
        Assert.Equal(PeerFrameCodec.MaxBlockPartBytes, decoded!.BlockResponse.Sealed.Length);
    }

    [Fact]
    public void TryDecode_UnknownBodyFromANewerPeer_DecodesWithoutBody()
    {
        // Field 99 (length-delimited) stands for a body this version does not know, beside a request id.
        byte[] message = [0x08, 0x05, 0x9A, 0x06, 0x02, 0xAA, 0xBB];
        byte[] bytes = [0, 0, 0, (byte)message.Length, .. message];
        Assert.Equal(DecodeStatus.Done, PeerFrameCodec.TryDecode(bytes, PeerFrameCodec.MaxFrameBytes, out var frame, out int consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(5UL, frame!.RequestId);
        Assert.Equal(PeerFrame.BodyOneofCase.None, frame.BodyCase);
    }

    [Fact]
    public void TryDecode_MutatedOrRandomBytes_NeverThrowsAndNeverOverconsumes()
    {
        var valid = PeerFrameCodec.ToBytes(Samples()["hello"]);
        var gen = from position in Gen.Choose(0, valid.Length - 1)
                  from value in Gen.Choose(0, 255)
                  from cut in Gen.Choose(0, valid.Length)
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (position, value, cut, seed);
        Prop.ForAll(gen.ToArbitrary(), sample =>
        {
            var mutated = (byte[])valid.Clone();
            mutated[sample.position] = (byte)sample.value;
            var random = new byte[sample.cut];
            new Random(sample.seed).NextBytes(random);
            byte[] smallLength = [0, 0, 0, (byte)random.Length, .. random];
            foreach (var input in new[] { mutated, mutated[..sample.cut], random, smallLength })
            {
                var status = PeerFrameCodec.TryDecode(input, PeerFrameCodec.MaxFrameBytes, out var frame, out int consumed, out var error);
                var ok = status switch
                {
                    DecodeStatus.Done => frame is not null && consumed is >= 4 && consumed <= input.Length,
                    DecodeStatus.NeedMoreData => frame is null && error.Kind == ProtocolErrorKind.Truncated,
                    _ => frame is null && error.Kind is ProtocolErrorKind.Malformed or ProtocolErrorKind.TooLarge,
                };
                var sequenceStatus = PeerFrameCodec.TryDecode(TwoSegments(input, input.Length / 2), PeerFrameCodec.MaxFrameBytes, out _, out long _, out _);
                if (!ok || sequenceStatus != status)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

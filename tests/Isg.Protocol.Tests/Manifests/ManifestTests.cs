using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Manifests;
using Isg.Protocol.Manifests.Wire;
using Isg.Protocol.Merkle;

namespace Isg.Protocol.Tests.Manifests;

public sealed class ManifestTests
{
    public static TheoryData<int> BlockCounts => [0, 1, 2, 3, 5000];

    [Theory]
    [MemberData(nameof(BlockCounts))]
    public void ToBytes_TryDecode_RoundTrips(int count)
    {
        var blocks = Blocks(count);
        var manifest = Manifest.Create(blocks);
        var bytes = manifest.ToBytes();

        Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(bytes, out var decoded, out var consumed, out var error));
        Assert.Equal(default, error);
        Assert.Equal(bytes.Length, consumed);
        Assert.NotNull(decoded);
        Assert.Equal(blocks, decoded.Blocks);
        Assert.Equal(blocks.Sum(b => (long)b.Length), decoded.Size);
        Assert.Equal(manifest.Size, decoded.Size);
        Assert.Equal(MerkleTree.ComputeRoot([.. blocks.Select(b => b.Id.Hash)]), decoded.MerkleRoot);
        Assert.Equal(manifest.MerkleRoot, decoded.MerkleRoot);
        Assert.Equal(1, decoded.Version);
        Assert.Equal(bytes, decoded.ToBytes());
    }

    [Theory]
    [MemberData(nameof(BlockCounts))]
    public void Encode_BufferWriter_SameBytesAsToBytes(int count)
    {
        var manifest = Manifest.Create(Blocks(count));
        var writer = new ArrayBufferWriter<byte>(1);
        writer.Write<byte>([0xEE]);
        manifest.Encode(writer);
        Assert.Equal([0xEE, .. manifest.ToBytes()], writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void ToBytes_Layout_IsVarintPrefixedProtobuf()
    {
        var manifest = Manifest.Create(Blocks(3));
        var bytes = manifest.ToBytes();
        var message = ManifestMessage.Parser.ParseFrom(bytes.AsSpan(2));
        Assert.Equal(bytes.Length - 2, (bytes[0] & 0x7F) | (bytes[1] << 7));
        Assert.Equal(1u, message.Version);
        Assert.Equal((ulong)manifest.Size, message.Size);
        Assert.Equal(manifest.MerkleRoot.ToArray(), message.MerkleRoot.ToByteArray());
        Assert.Equal(manifest.Blocks[2].Id.ToArray(), message.Blocks[2].Id.ToByteArray());
        Assert.Equal((uint)manifest.Blocks[2].Length, message.Blocks[2].Length);
    }

    [Fact]
    public void Create_Empty_HasEmptyRootAndZeroSize()
    {
        var manifest = Manifest.Create([]);
        Assert.Empty(manifest.Blocks);
        Assert.Equal(0, manifest.Size);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", manifest.MerkleRoot.ToHex());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Create_NonPositiveLength_Throws(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Manifest.Create([new BlockRef(BlockId.Compute("x"u8), length)]));
    }

    [Theory]
    [MemberData(nameof(BlockCounts))]
    public void TryDecode_EveryPrefix_NeedMoreDataUntilComplete(int count)
    {
        var bytes = Manifest.Create(Blocks(count)).ToBytes();
        for (var length = 0; length < bytes.Length; length++)
        {
            var status = Manifest.TryDecode(bytes.AsSpan(0, length), out var manifest, out var consumed, out var error);
            Assert.Equal(DecodeStatus.NeedMoreData, status);
            Assert.Null(manifest);
            Assert.Equal(0, consumed);
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
        }

        Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(bytes, out _, out var total, out _));
        Assert.Equal(bytes.Length, total);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(40)]
    public void TryDecode_SplitAtEveryOffset_FirstPartNeedsMoreThenWholeDecodes(int count)
    {
        var bytes = Manifest.Create(Blocks(count)).ToBytes();
        for (var split = 0; split <= bytes.Length; split++)
        {
            // A caller that received `split` bytes, then the rest, appended to its buffer.
            var buffer = new ArrayBufferWriter<byte>();
            buffer.Write(bytes.AsSpan(0, split));
            var first = Manifest.TryDecode(buffer.WrittenSpan, out _, out _, out _);
            Assert.Equal(split == bytes.Length ? DecodeStatus.Done : DecodeStatus.NeedMoreData, first);
            buffer.Write(bytes.AsSpan(split));
            Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(buffer.WrittenSpan, out var manifest, out var consumed, out _));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(count, manifest!.Blocks.Count);
        }
    }

    [Fact]
    public void TryDecode_OneByteAtATime_DoneExactlyAtLastByte()
    {
        var bytes = Manifest.Create(Blocks(7)).ToBytes();
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var b in bytes)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, Manifest.TryDecode(buffer.WrittenSpan, out _, out _, out _));
            buffer.Write<byte>([b]);
        }

        Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(buffer.WrittenSpan, out var manifest, out _, out _));
        Assert.Equal(7, manifest!.Blocks.Count);
    }

    [Fact]
    public void TryDecode_TwoManifestsBackToBack_ConsumesOneAtATime()
    {
        var first = Manifest.Create(Blocks(3));
        var second = Manifest.Create(Blocks(9));
        byte[] bytes = [.. first.ToBytes(), .. second.ToBytes()];

        Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(bytes, out var a, out var consumed, out _));
        Assert.Equal(first.ToBytes().Length, consumed);
        Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(bytes.AsSpan(consumed), out var b, out var consumed2, out _));
        Assert.Equal(bytes.Length, consumed + consumed2);
        Assert.Equal(first.MerkleRoot, a!.MerkleRoot);
        Assert.Equal(second.MerkleRoot, b!.MerkleRoot);
    }

    public static TheoryData<string, byte[], ProtocolErrorKind, int> InvalidSamples()
    {
        var data = new TheoryData<string, byte[], ProtocolErrorKind, int>
        {
            { "overlong varint", [0x80, 0x00], ProtocolErrorKind.Malformed, 1 },
            { "overlong varint of 3 bytes", [0x85, 0x80, 0x00], ProtocolErrorKind.Malformed, 2 },
            { "length above cap", Varint(Manifest.MaxMessageLength + 1), ProtocolErrorKind.TooLarge, 0 },
            { "length of four 0xFF", [0xFF, 0xFF, 0xFF, 0xFF], ProtocolErrorKind.TooLarge, 0 },
            { "five-byte varint", [0x80, 0x80, 0x80, 0x80, 0x01], ProtocolErrorKind.TooLarge, 0 },
            { "tag zero", [0x01, 0x00], ProtocolErrorKind.Malformed, 1 },
            { "field longer than message", [0x03, 0x1A, 0x20, 0x01], ProtocolErrorKind.Malformed, 1 },
            { "bad wire type", [0x01, 0x0F], ProtocolErrorKind.Malformed, 1 },
            { "empty message (version 0)", [0x00], ProtocolErrorKind.UnsupportedVersion, 1 },
            { "tag zero after a field", [0x03, 0x08, 0x01, 0x00], ProtocolErrorKind.Malformed, 3 },
            { "group wire type", [0x02, 0x0B, 0x0C], ProtocolErrorKind.Malformed, 1 },
            { "unterminated varint field", [0x02, 0x08, 0x80], ProtocolErrorKind.Malformed, 1 },
            { "malformed inside a block", [0x04, 0x22, 0x02, 0x00, 0x00], ProtocolErrorKind.Malformed, 1 },
        };

        var valid = Blocks(4);
        var good = ToMessage(valid);
        data.Add("version 2", Frame(With(good, m => m.Version = 2)), ProtocolErrorKind.UnsupportedVersion, 2);
        data.Add("version 0", Frame(With(good, m => m.Version = 0)), ProtocolErrorKind.UnsupportedVersion, 2);
        data.Add("id of 31 bytes", Frame(With(good, m => m.Blocks[2].Id = ByteString.CopyFrom(new byte[31]))), ProtocolErrorKind.BadField, 2);
        data.Add("id of 33 bytes", Frame(With(good, m => m.Blocks[0].Id = ByteString.CopyFrom(new byte[33]))), ProtocolErrorKind.BadField, 2);
        data.Add("zero-length block", Frame(With(good, m =>
        {
            m.Size -= m.Blocks[1].Length;
            m.Blocks[1].Length = 0;
        })), ProtocolErrorKind.BadField, 2);
        data.Add("block length above int", Frame(With(good, m =>
        {
            m.Blocks[1].Length = uint.MaxValue;
            m.Size = m.Blocks.Aggregate(0UL, (sum, b) => sum + b.Length);
        })), ProtocolErrorKind.BadField, 2);
        data.Add("size one too large", Frame(With(good, m => m.Size++)), ProtocolErrorKind.BadField, 2);
        data.Add("size zero", Frame(With(good, m => m.Size = 0)), ProtocolErrorKind.BadField, 2);
        data.Add("root of other blocks", Frame(With(good, m => m.MerkleRoot = ByteString.CopyFrom(Manifest.Create(Blocks(5)).MerkleRoot.ToArray()))), ProtocolErrorKind.HashMismatch, 2);
        data.Add("blocks reordered", Frame(With(good, m =>
        {
            var first = m.Blocks[0];
            m.Blocks.RemoveAt(0);
            m.Blocks.Add(first);
        })), ProtocolErrorKind.HashMismatch, 2);
        data.Add("root of 31 bytes", Frame(With(good, m => m.MerkleRoot = ByteString.CopyFrom(new byte[31]))), ProtocolErrorKind.BadField, 2);
        data.Add("root missing", Frame(With(good, m => m.MerkleRoot = ByteString.Empty)), ProtocolErrorKind.BadField, 2);
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void TryDecode_InvalidSample_InvalidWithKindAndOffset(string name, byte[] bytes, ProtocolErrorKind kind, int offset)
    {
        var status = Manifest.TryDecode(bytes, out var manifest, out var consumed, out var error);
        Assert.True(status == DecodeStatus.Invalid, $"{name}: {status}");
        Assert.Equal(kind, error.Kind);
        Assert.Equal(offset, error.Offset);
        Assert.False(string.IsNullOrEmpty(error.Message));
        Assert.Null(manifest);
        Assert.Equal(0, consumed);
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void TryDecode_InvalidSamplePrefixes_NeedMoreDataOrInvalidNeverDone(string name, byte[] bytes, ProtocolErrorKind kind, int offset)
    {
        _ = kind;
        _ = offset;
        var buffer = new ArrayBufferWriter<byte>();
        var sawInvalid = false;
        foreach (var b in bytes)
        {
            buffer.Write<byte>([b]);
            var status = Manifest.TryDecode(buffer.WrittenSpan, out _, out _, out _);
            Assert.True(status != DecodeStatus.Done, name);
            // Once the bytes are known to be invalid, more bytes never make them valid again.
            Assert.True(!sawInvalid || status == DecodeStatus.Invalid, name);
            sawInvalid |= status == DecodeStatus.Invalid;
        }

        Assert.True(sawInvalid, name);
    }

    [Fact]
    public void TryDecode_MutatedOrRandomBytes_NeverThrows()
    {
        var valid = Manifest.Create(Blocks(6)).ToBytes();
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
            foreach (var input in new[] { mutated, mutated[..sample.cut], random, [0x40, .. random] })
            {
                var status = Manifest.TryDecode(input, out var manifest, out var consumed, out _);
                if (status == DecodeStatus.Done && (manifest is null || consumed > input.Length))
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryDecode_MoreThanMaxBlocks_TooLargeBeforeParsing()
    {
        // Empty block entries, two bytes each: cheap to send, and costly if parsed into objects.
        var body = new byte[2 * (Manifest.MaxBlocks + 1)];
        for (var i = 0; i < body.Length; i += 2)
        {
            body[i] = 0x22;
        }

        byte[] framed = [.. Varint(body.Length), .. body];
        Assert.Equal(DecodeStatus.Invalid, Manifest.TryDecode(framed, out var manifest, out _, out var error));
        Assert.Null(manifest);
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public void Create_MoreThanMaxBlocks_Throws()
    {
        var block = new BlockRef(BlockId.Compute("x"u8), 1);
        Assert.Throws<ArgumentException>(() => Manifest.Create(Enumerable.Repeat(block, Manifest.MaxBlocks + 1)));
    }

    [Fact]
    public void TryDecode_UnknownFields_Ignored()
    {
        var message = ToMessage(Blocks(2));
        var body = message.ToByteArray();
        // Fields a later writer might add: 15 (varint), 16 (bytes), 17 (fixed64), 18 (fixed32), and 9 inside a block.
        byte[] extended =
        [
            .. body, 0x78, 0x01, 0x82, 0x01, 0x02, 0xAA, 0xBB, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x95, 0x01, 1, 2, 3, 4,
            0x22, 0x26, 0x0A, 0x20, .. message.Blocks[0].Id.ToByteArray(), 0x10, 0x05, 0x48, 0x07,
        ];
        message.Size += 5;
        message.MerkleRoot = ByteString.CopyFrom(MerkleTree.ComputeRoot([.. message.Blocks.Select(b => Hash256.FromBytes(b.Id.Span)), Hash256.FromBytes(message.Blocks[0].Id.Span)]).ToArray());
        extended = [.. message.ToByteArray(), .. extended[body.Length..]];
        byte[] framed = [.. Varint(extended.Length), .. extended];
        Assert.Equal(DecodeStatus.Done, Manifest.TryDecode(framed, out var manifest, out var consumed, out _));
        Assert.Equal(framed.Length, consumed);
        Assert.Equal(3, manifest!.Blocks.Count);
        Assert.Equal(5, manifest.Blocks[2].Length);
    }

    private static BlockRef[] Blocks(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new BlockRef(BlockId.Compute(BitConverter.GetBytes(i)), 1 + (i * 7919 % 4_194_304)))];

    private static ManifestMessage ToMessage(BlockRef[] blocks)
    {
        var manifest = Manifest.Create(blocks);
        var message = new ManifestMessage
        {
            Version = 1,
            Size = (ulong)manifest.Size,
            MerkleRoot = ByteString.CopyFrom(manifest.MerkleRoot.ToArray()),
        };
        foreach (var block in blocks)
        {
            message.Blocks.Add(new BlockRefMessage { Id = ByteString.CopyFrom(block.Id.ToArray()), Length = (uint)block.Length });
        }

        return message;
    }

    private static ManifestMessage With(ManifestMessage message, Action<ManifestMessage> change)
    {
        var copy = message.Clone();
        change(copy);
        return copy;
    }

    private static byte[] Frame(ManifestMessage message)
    {
        var body = message.ToByteArray();
        return [.. Varint(body.Length), .. body];
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }
}

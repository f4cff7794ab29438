using System.Buffers;
using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Errors;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class BlockPackTests
{
    private static readonly string s_a = new('a', 64);
    private static readonly string s_b = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly string s_c = new('z', 128);

    [Fact]
    public void WriteTo_KnownIndex_HasTheDocumentedBytes()
    {
        var index = BlockPackIndex.Create([(new string('q', 16), 5)]);
        var bytes = Encode(index);

        var expected = new List<byte>("ISGP"u8.ToArray()) { 1, 1, 0, 0, 0, 16 };
        expected.AddRange(new byte[16].Select(_ => (byte)'q'));
        expected.AddRange(BitConverter.GetBytes(9UL + 13 + 16));
        expected.AddRange(BitConverter.GetBytes(5U));
        Assert.Equal(expected, bytes);
        Assert.Equal(38, index.EncodedLength);
        Assert.Equal(43, index.End);
    }

    [Fact]
    public void TryReadIndex_Written_RoundTrips()
    {
        var index = BlockPackIndex.Create([(s_a, 100), (s_b, 0), (s_c, 7)]);

        var bytes = Encode(index);
        Assert.Equal(DecodeStatus.Done, BlockPack.TryReadIndex(bytes.Concat(new byte[107]).ToArray(), out var read, out _));

        Assert.Equal(index.Entries, read.Entries);
        Assert.Equal(bytes.Length, read.EncodedLength);
        Assert.True(read.TryGet(s_b, out var b));
        Assert.Equal(index.EncodedLength + 100, b.Offset);
        Assert.Equal(0, b.Length);
        Assert.False(read.TryGet(new string('d', 64), out _));
        Assert.Equal(index.EncodedLength + 107, read.End);
    }

    [Fact]
    public void TryReadIndex_EmptyPack_Done()
    {
        var bytes = Encode(BlockPackIndex.Create([]));

        Assert.Equal(DecodeStatus.Done, BlockPack.TryReadIndex(bytes, out var read, out _));
        Assert.Empty(read.Entries);
        Assert.Equal(BlockPack.HeaderLength, read.End);
    }

    [Fact]
    public void TryReadIndex_SplitAtEveryOffset_NeedsMoreThenDone()
    {
        var bytes = Sample();
        for (var split = 0; split < bytes.Length; split++)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, BlockPack.TryReadIndex(bytes.AsSpan(0, split), out _, out var error));
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);

            var joined = bytes.AsSpan(0, split).ToArray().Concat(bytes.AsSpan(split).ToArray()).ToArray();
            Assert.Equal(DecodeStatus.Done, BlockPack.TryReadIndex(joined, out var index, out _));
            Assert.Equal(3, index.Entries.Count);
        }
    }

    [Fact]
    public void TryReadIndex_ByteByByte_DoneOnlyAtTheLastByte()
    {
        var bytes = Sample();
        var buffer = new List<byte>();
        foreach (var b in bytes)
        {
            buffer.Add(b);
            var status = BlockPack.TryReadIndex(buffer.ToArray(), out _, out _);
            Assert.Equal(buffer.Count == bytes.Length ? DecodeStatus.Done : DecodeStatus.NeedMoreData, status);
        }
    }

    [Theory]
    [InlineData(0, 0x00, ProtocolErrorKind.BadMagic, 0)]
    [InlineData(3, 0x51, ProtocolErrorKind.BadMagic, 0)]
    [InlineData(4, 0x02, ProtocolErrorKind.UnsupportedVersion, 4)]
    [InlineData(8, 0x01, ProtocolErrorKind.TooLarge, 5)]
    [InlineData(9, 15, ProtocolErrorKind.BadField, 9)]
    [InlineData(9, 129, ProtocolErrorKind.BadField, 9)]
    [InlineData(12, (byte)'A', ProtocolErrorKind.BadText, 12)]
    [InlineData(12, (byte)'/', ProtocolErrorKind.BadText, 12)]
    [InlineData(10 + 64 + 11, 0x80, ProtocolErrorKind.TooLarge, 10 + 64 + 8)]
    public void TryReadIndex_BadField_InvalidWithTypedErrorAtItsOffset(int offset, byte value, ProtocolErrorKind expected, int errorOffset)
    {
        var bytes = Sample();
        bytes[offset] = value;

        Assert.Equal(DecodeStatus.Invalid, BlockPack.TryReadIndex(bytes, out _, out var error));
        Assert.Equal(expected, error.Kind);
        Assert.Equal(errorOffset, error.Offset);
    }

    [Fact]
    public void TryReadIndex_ShortPrefixWithBadMagic_InvalidAtOnce()
    {
        Assert.Equal(DecodeStatus.NeedMoreData, BlockPack.TryReadIndex("IS"u8, out _, out _));
        Assert.Equal(DecodeStatus.Invalid, BlockPack.TryReadIndex("IX"u8, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadMagic, error.Kind);
    }

    [Fact]
    public void TryReadIndex_OverlappingRanges_Invalid()
    {
        var bytes = Sample();
        var second = BlockPack.HeaderLength + BlockPack.EntryFixedLength + 64;
        // The second object starts one byte before the first ends.
        var firstEnd = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(BlockPack.HeaderLength + 1 + 64)) + 100;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(second + 1 + 64), firstEnd - 1);

        Assert.Equal(DecodeStatus.Invalid, BlockPack.TryReadIndex(bytes, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
        Assert.Equal(second + 1 + 64, error.Offset);
    }

    [Fact]
    public void TryReadIndex_FirstObjectInsideTheIndex_Invalid()
    {
        var bytes = Sample();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(BlockPack.HeaderLength + 1 + 64), 20);

        Assert.Equal(DecodeStatus.Invalid, BlockPack.TryReadIndex(bytes, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
    }

    [Fact]
    public void TryReadIndex_DuplicateName_Invalid()
    {
        var bytes = Encode(BlockPackIndex.Create([(s_a, 1), (new string('b', 64), 1)]));
        var second = BlockPack.HeaderLength + BlockPack.EntryFixedLength + 64;
        bytes.AsSpan(second + 1, 64).Fill((byte)'a');

        Assert.Equal(DecodeStatus.Invalid, BlockPack.TryReadIndex(bytes, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadIndex_HugeCountWithFewBytes_NeedsMoreWithoutAllocatingForTheCount()
    {
        var bytes = Encode(BlockPackIndex.Create([(s_a, 1)]));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(5), BlockPack.MaxEntries);

        Assert.Equal(DecodeStatus.NeedMoreData, BlockPack.TryReadIndex(bytes, out _, out var error));
        Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void Without_DropsNamedEntries_KeepsOffsetsAndStillDecodes()
    {
        var index = BlockPackIndex.Create([(s_a, 100), (s_b, 50), (s_c, 7)]);

        var live = index.Without(new HashSet<string>([s_b, new string('e', 64)]));

        Assert.Equal([index.Entries[0], index.Entries[2]], live.Entries);
        Assert.Equal(DecodeStatus.Done, BlockPack.TryReadIndex(Encode(live), out var read, out _));
        Assert.Equal(live.Entries, read.Entries);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789ABCDEF0123")]
    [InlineData("aaaaaaaaaaaaaaaa.tmp")]
    public void Create_InvalidName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => BlockPackIndex.Create([(name, 1)]));

    [Fact]
    public void Create_DuplicateName_Throws() =>
        Assert.Throws<ArgumentException>(() => BlockPackIndex.Create([(s_a, 1), (s_a, 2)]));

    [Fact]
    public void TryReadIndex_RandomBytes_NeverThrows()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            var status = BlockPack.TryReadIndex(bytes, out var index, out _);
            return status != DecodeStatus.Done || index.EncodedLength <= bytes.Length;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryReadIndex_MutatedSamples_NeverThrowAndDoneMeansConsistent()
    {
        var sample = Sample();
        Prop.ForAll(Gen.Choose(0, sample.Length - 1).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), Gen.Choose(0, sample.Length).ToArbitrary(),
            (position, value, cut) =>
            {
                var bytes = sample.ToArray();
                bytes[position] = (byte)value;
                var status = BlockPack.TryReadIndex(bytes.AsSpan(0, cut), out var index, out var error);
                if (status != DecodeStatus.Done)
                {
                    return error.Kind != default || status == DecodeStatus.NeedMoreData || error.Message.Length > 0;
                }

                var previous = (long)index.EncodedLength;
                foreach (var entry in index.Entries)
                {
                    if (entry.Offset < previous || !BlockPack.IsValidName(entry.Name))
                    {
                        return false;
                    }

                    previous = entry.End;
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryReadIndex_RandomIndexes_RoundTrip()
    {
        var names = Gen.Choose(16, 128).SelectMany(n => Gen.ArrayOf(Gen.Elements("0123456789abcdefghijklmnopqrstuvwxyz".ToCharArray()), n))
            .Select(c => new string(c));
        var objects = Gen.ListOf(Gen.Zip(names, Gen.Choose(0, 1 << 20))).Select(l => l.DistinctBy(o => o.Item1).ToList());
        Prop.ForAll(objects.ToArbitrary(), list =>
        {
            var index = BlockPackIndex.Create(list.Select(o => (o.Item1, o.Item2)).ToList());
            return BlockPack.TryReadIndex(Encode(index), out var read, out _) == DecodeStatus.Done
                && read.Entries.SequenceEqual(index.Entries)
                && read.End == index.End;
        }).QuickCheckThrowOnFailure();
    }

    private static byte[] Sample() => Encode(BlockPackIndex.Create([(s_a, 100), (s_b, 0), (s_c, 7)]));

    private static byte[] Encode(BlockPackIndex index)
    {
        var writer = new ArrayBufferWriter<byte>();
        index.WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }
}

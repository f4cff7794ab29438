using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Crdt;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Tests.Crdt;

public sealed class HlcTimestampTests
{
    private static Gen<HlcTimestamp> Timestamps =>
        from wall in Gen.Elements(0L, 1L, 1_700_000_000_000L, HlcTimestamp.MaxWallMs)
            .Or(Gen.Choose(0, int.MaxValue).Select(v => (long)v))
        from logical in Gen.Elements(0, 1, ushort.MaxValue).Or(Gen.Choose(0, ushort.MaxValue))
        from device in Gen.Elements(0UL, 1UL, ulong.MaxValue).Or(ArbMap.Default.GeneratorFor<ulong>())
        select new HlcTimestamp(wall, (ushort)logical, device);

    [Fact]
    public void WriteTo_TryRead_RoundTrips()
    {
        Prop.ForAll(Timestamps.ToArbitrary(), timestamp =>
        {
            var bytes = new byte[HlcTimestamp.EncodedLength];
            timestamp.WriteTo(bytes);
            return HlcTimestamp.TryRead(bytes, out var read, out _) == DecodeStatus.Done && read == timestamp;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WriteTo_AnyTwoTimestamps_ByteOrderEqualsComparisonOrder()
    {
        Prop.ForAll(Timestamps.ToArbitrary(), Timestamps.ToArbitrary(), (a, b) =>
        {
            var left = new byte[HlcTimestamp.EncodedLength];
            var right = new byte[HlcTimestamp.EncodedLength];
            a.WriteTo(left);
            b.WriteTo(right);
            return Math.Sign(left.AsSpan().SequenceCompareTo(right)) == Math.Sign(a.CompareTo(b));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WriteTo_KnownTimestamp_BigEndianLayout()
    {
        var bytes = new byte[HlcTimestamp.EncodedLength];

        new HlcTimestamp(0x0102_0304_0506, 0x0708, 0x090A_0B0C_0D0E_0F10).WriteTo(bytes);

        Assert.Equal(Convert.FromHexString("0102030405060708090a0b0c0d0e0f10"), bytes);
    }

    [Fact]
    public void TryRead_ShortInput_NeedMoreDataAtEveryLength()
    {
        var bytes = new byte[HlcTimestamp.EncodedLength];
        new HlcTimestamp(5, 6, 7).WriteTo(bytes);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, HlcTimestamp.TryRead(bytes.AsSpan(0, length), out _, out var error));
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
        }

        Assert.Equal(DecodeStatus.Done, HlcTimestamp.TryRead(bytes, out var read, out _));
        Assert.Equal(new HlcTimestamp(5, 6, 7), read);
    }

    [Fact]
    public void CompareTo_FieldPrecedence_WallThenLogicalThenDevice()
    {
        Assert.True(new HlcTimestamp(2, 0, 0) > new HlcTimestamp(1, ushort.MaxValue, ulong.MaxValue));
        Assert.True(new HlcTimestamp(1, 2, 0) > new HlcTimestamp(1, 1, ulong.MaxValue));
        Assert.True(new HlcTimestamp(1, 1, 2) > new HlcTimestamp(1, 1, 1));
        Assert.Equal(0, new HlcTimestamp(1, 1, 1).CompareTo(new HlcTimestamp(1, 1, 1)));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(HlcTimestamp.MaxWallMs + 1)]
    public void Constructor_WallOutOfRange_Throws(long wallMs)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HlcTimestamp(wallMs, 0, 0));
    }
}

using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Tests.Hashing;

public sealed class BlockIdTests
{
    private const string EmptyCid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    private const string EmptyHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void ToCid_EmptyInput_MatchesKnownAnswer()
    {
        var id = BlockId.Compute([]);
        Assert.Equal(EmptyCid, id.ToCid());
        Assert.Equal(EmptyHex, id.ToHex());
    }

    [Fact]
    public void TryParse_CidAndHex_RoundTrip()
    {
        var id = BlockId.Compute("hello"u8);
        Assert.True(BlockId.TryParse(id.ToCid(), out var fromCid, out _));
        Assert.True(BlockId.TryParse(id.ToHex(), out var fromHex, out _));
        Assert.True(BlockId.TryParse(id.ToHex().ToUpperInvariant(), out var fromUpper, out _));
        Assert.Equal(id, fromCid);
        Assert.Equal(id, fromHex);
        Assert.Equal(id, fromUpper);
        Assert.StartsWith("bafkrei", id.ToCid(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zzzz")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g")]
    [InlineData("cafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1")]
    [InlineData("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    public void TryParse_BadText_ReturnsTypedError(string text)
    {
        Assert.False(BlockId.TryParse(text, out _, out var error));
        Assert.True(error.Kind is ProtocolErrorKind.BadText or ProtocolErrorKind.BadField, error.ToString());
        var thrown = Assert.Throws<ProtocolException>(() => BlockId.Parse(text));
        Assert.Equal(error.Kind, thrown.Error.Kind);
    }

    [Fact]
    public void CompareTo_OrdersLikeBytes()
    {
        var a = BlockId.FromBytes(Convert.FromHexString("00" + new string('f', 62)));
        var b = BlockId.FromBytes(Convert.FromHexString("01" + new string('0', 62)));
        Assert.True(a < b);
        Assert.Equal(-1, a.CompareTo(b));
        Assert.Equal(0, a.CompareTo(BlockId.FromBytes(a.ToArray())));
    }
}

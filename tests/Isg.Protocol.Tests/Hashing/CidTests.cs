using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Tests.Hashing;

public sealed class CidTests
{
    // Known answers: what `ipfs block put --cid-codec raw` (and js-ipfs with format=raw) print for these bytes.
    [Theory]
    [InlineData("", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    [InlineData("hello world", "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")]
    public void OfRaw_KnownBlocks_GivesTheirIpfsCids(string content, string expected)
    {
        var cid = Cid.OfRaw(Encoding.UTF8.GetBytes(content));

        Assert.Equal(expected, cid.ToString());
        Assert.Equal(Cid.TextLength, expected.Length);
    }

    [Fact]
    public void WriteBinary_HelloWorld_IsVersionCodecMultihashDigest()
    {
        var data = Encoding.UTF8.GetBytes("hello world");
        var binary = new byte[Cid.BinaryLength];

        Cid.OfRaw(data).WriteBinary(binary);

        Assert.Equal(new byte[] { 0x01, 0x55, 0x12, 0x20 }, binary[..4]);
        Assert.Equal(Hash256.Compute(data).ToArray(), binary[4..]);
    }

    [Fact]
    public void TryParse_AnyDigest_RoundTripsInEitherCase()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var cid = Cid.OfRaw(bytes);
            var text = cid.ToString();
            return Cid.TryParse(text, out var lower, out _) && lower == cid
                && Cid.TryParse(text.ToUpperInvariant(), out var upper, out _) && upper == cid
                && cid.Matches(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("", ProtocolErrorKind.BadText)]
    [InlineData("QmaYL7E4gDTPNfLxrCEEEcNJgcHBJ55NxxTnxpDKWqMtJ3", ProtocolErrorKind.BadText)]
    [InlineData("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", ProtocolErrorKind.BadText)]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk", ProtocolErrorKind.BadText)]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1", ProtocolErrorKind.BadText)]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykv", ProtocolErrorKind.BadText)]
    // dag-pb (0x70) and version 2 with otherwise valid lengths.
    [InlineData("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", ProtocolErrorKind.BadField)]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", null)]
    public void TryParse_Samples_AcceptsOnlyV1RawSha256(string text, ProtocolErrorKind? expected)
    {
        var ok = Cid.TryParse(text, out var cid, out var error);

        if (expected is null)
        {
            Assert.True(ok, error.ToString());
            Assert.Equal(Hash256.Empty, cid.Digest);
        }
        else
        {
            Assert.False(ok);
            Assert.Equal(expected, error.Kind);
        }
    }

    [Fact]
    public void TryParse_Version2_IsUnsupported()
    {
        var binary = new byte[Cid.BinaryLength];
        Cid.OfRaw([]).WriteBinary(binary);
        binary[0] = 2;
        var text = "b" + Base32(binary);

        Assert.False(Cid.TryParse(text, out _, out var error));
        Assert.Equal(ProtocolErrorKind.UnsupportedVersion, error.Kind);
    }

    [Fact]
    public void Parse_Garbage_ThrowsProtocolException()
    {
        Assert.Throws<ProtocolException>(() => Cid.Parse("not a cid"));
    }

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(alphabet[(buffer >> bits) & 31]);
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}

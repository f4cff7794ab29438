using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;

namespace Isg.Protocol.Tests.Peers;

public sealed class DeviceIdTests
{
    // Computed independently with python3: the bytes 0..255 repeated 3 times as the "DER", then
    //   d = hashlib.sha256(der).digest(); s = base64.b32encode(d).decode().rstrip('=')
    // split into 4 groups of 13, each followed by a Luhn mod 32 character (weights 1,2,1,... from the left,
    // addend folded as a // 32 + a % 32, check = (32 - sum % 32) % 32), then grouped by 7 with dashes.
    private const string GoldenId = "6ORFVKJ-2UL53US-KGXSJQF-GW55NJC-PLB7A4E-SULB4CT-OCK2IJQ-O74NRQR";

    private static byte[] GoldenDer => [.. Enumerable.Range(0, 768).Select(i => (byte)i)];

    [Fact]
    public void FromCertificateDer_FixedDer_MatchesGoldenString()
    {
        var id = DeviceId.FromCertificateDer(GoldenDer);

        Assert.Equal(GoldenId, id.ToString());
        Assert.Equal("6ORFVKJ", id.ShortId);
        Assert.Equal(0xf3a25aa93aa2fbbaUL, id.TieBreak);
        Assert.Equal(Hash256.Compute(GoldenDer), id.Hash);
    }

    [Fact]
    public void TryParse_SyncthingDocumentedId_AcceptsCheckCharacters()
    {
        // A device id from Syncthing's own tests: same hash, base32 and Luhn layout, so ours must accept it.
        Assert.True(DeviceId.TryParse("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2", out var id, out var error), error.ToString());
        Assert.Equal("P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2", id.ToString());
    }

    [Fact]
    public void ToString_TryParse_RoundTripsRandomIds()
    {
        var random = new Random(5);
        var der = new byte[300];
        for (var i = 0; i < 200; i++)
        {
            random.NextBytes(der);
            var id = DeviceId.FromCertificateDer(der);
            var text = id.ToString();

            Assert.Equal(63, text.Length);
            Assert.True(DeviceId.TryParse(text, out var parsed, out var error), error.ToString());
            Assert.Equal(id, parsed);
            Assert.True(id == parsed);
            Assert.Equal(id.GetHashCode(), parsed.GetHashCode());
        }
    }

    [Theory]
    [InlineData("6orfvkj-2ul53us-kgxsjqf-gw55njc-plb7a4e-sulb4ct-ock2ijq-o74nrqr")]
    [InlineData("6ORFVKJ2UL53USKGXSJQFGW55NJCPLB7A4ESULB4CTOCK2IJQO74NRQR")]
    [InlineData("6ORFVKJ 2UL53US KGXSJQF GW55NJC PLB7A4E SULB4CT OCK2IJQ O74NRQR")]
    [InlineData(" 6orfVKJ-2UL53US KGXSJQF--GW55NJCPLB7A4E-SULB4CT-OCK2IJQ-O74NRQR ")]
    public void TryParse_CaseDashAndSpaceVariants_Accepted(string text)
    {
        Assert.True(DeviceId.TryParse(text, out var id, out var error), error.ToString());
        Assert.Equal(DeviceId.FromCertificateDer(GoldenDer), id);
    }

    [Fact]
    public void TryParse_EverySingleCharacterTypo_RejectedWithBadCheckCharacter()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var compact = GoldenId.Replace("-", string.Empty, StringComparison.Ordinal);
        var typos = 0;
        for (var position = 0; position < compact.Length; position++)
        {
            foreach (var replacement in alphabet)
            {
                if (replacement == compact[position])
                {
                    continue;
                }

                var chars = compact.ToCharArray();
                chars[position] = replacement;

                Assert.False(DeviceId.TryParse(new string(chars), out _, out var error));
                Assert.Equal(ProtocolErrorKind.BadCheckCharacter, error.Kind);
                typos++;
            }
        }

        Assert.Equal(56 * 31, typos);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("6ORFVKJ-2UL53US-KGXSJQF-GW55NJC-PLB7A4E-SULB4CT-OCK2IJQ-O74NRQ")]
    [InlineData("6ORFVKJ-2UL53US-KGXSJQF-GW55NJC-PLB7A4E-SULB4CT-OCK2IJQ-O74NRQRA")]
    [InlineData("6ORFVKJ-2UL53US-KGXSJQF-GW55NJC-PLB7A4E-SULB4CT-OCK2IJQ-O74NRQ1")]
    [InlineData("6ORFVKJ_2UL53US-KGXSJQF-GW55NJC-PLB7A4E-SULB4CT-OCK2IJQ-O74NRQR")]
    public void TryParse_WrongLengthOrCharacter_RejectedAsBadText(string? text)
    {
        Assert.False(DeviceId.TryParse(text, out var id, out var error));
        Assert.Equal(ProtocolErrorKind.BadText, error.Kind);
        Assert.Equal(default, id);
    }

    [Fact]
    public void TryParse_NonZeroTrailingBitsWithValidChecks_Rejected()
    {
        // The last data character carries 4 padding bits; a spelling with them set is not canonical even when
        // its check character is recomputed to match, so each id has exactly one accepted spelling.
        var compact = GoldenId.Replace("-", string.Empty, StringComparison.Ordinal).ToCharArray();
        var lastGroup = compact.AsSpan(42, 13);
        Assert.Equal('Q', lastGroup[12]);
        lastGroup[12] = 'R';
        compact[55] = DeviceId.LuhnCheckCharacter(lastGroup);

        Assert.False(DeviceId.TryParse(new string(compact), out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadText, error.Kind);
    }

    [Fact]
    public void CompareTo_DifferentCertificates_OrdersByDigest()
    {
        var a = DeviceId.FromCertificateDer([1]);
        var b = DeviceId.FromCertificateDer([2]);

        Assert.NotEqual(a, b);
        Assert.Equal(Math.Sign(a.Hash.CompareTo(b.Hash)), Math.Sign(a.CompareTo(b)));
        Assert.True(a < b || b < a);
    }
}

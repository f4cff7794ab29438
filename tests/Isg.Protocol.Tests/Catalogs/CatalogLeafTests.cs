using System.Text;
using Isg.Protocol.Catalogs;
using Isg.Protocol.Hashing;
using Isg.Protocol.Merkle;

namespace Isg.Protocol.Tests.Catalogs;

public sealed class CatalogLeafTests
{
    private static readonly CatalogLeaf s_sample = new("docs/report.pdf", 0, 4196, 0x1A4, 1_700_000_000_123_456_789, null,
        Hash256.Compute("content"u8));

    [Fact]
    public void ToBytes_Sample_IsTheDocumentedLayout()
    {
        var bytes = s_sample.ToBytes();

        var expected = new List<byte> { 1, 0, 0, 0, 15 };
        expected.AddRange(Encoding.UTF8.GetBytes("docs/report.pdf"));
        expected.Add(0);
        expected.AddRange([0, 0, 0, 0, 0, 0, 0x10, 0x64]);
        expected.AddRange([0, 0, 0x01, 0xA4]);
        expected.AddRange(BitConverter.GetBytes(1_700_000_000_123_456_789L).Reverse());
        expected.AddRange([0, 0, 0, 0, 0]);
        expected.AddRange(Hash256.Compute("content"u8).ToArray());
        Assert.Equal(expected, bytes);
        Assert.Equal(bytes.Length, s_sample.EncodedLength);
    }

    [Fact]
    public void ComputeHash_Sample_MatchesTheGoldenValue()
    {
        // Computed independently (Python hashlib over the documented layout).
        Assert.Equal("a88b2a3a494a0c386e0064df42552775d69d0aba30515a8cde48766053b48da3", s_sample.ComputeHash().ToHex());
        Assert.Equal(Hash256.Compute(s_sample.ToBytes()), s_sample.ComputeHash());
    }

    [Fact]
    public void ComputeTreeHash_Sample_IsTheLeafHashWithTheLeafPrefix()
    {
        // SHA-256(0x00 || the golden leaf hash above), computed independently (Python hashlib).
        Assert.Equal("745e293a27cbe24db7e22befe8193931e958f6c2ba4d5970069630f0c0218450", s_sample.ComputeTreeHash().ToHex());
    }

    [Fact]
    public void ComputeHash_AnyFieldChanged_Differs()
    {
        CatalogLeaf[] variants =
        [
            s_sample,
            s_sample with { Path = "docs/report.pdg" },
            s_sample with { Kind = 1 },
            s_sample with { Size = 4197 },
            s_sample with { Mode = 0x1A5 },
            s_sample with { MtimeUnixNs = s_sample.MtimeUnixNs + 1 },
            s_sample with { LinkTarget = string.Empty },
            s_sample with { LinkTarget = "x" },
            s_sample with { MerkleRoot = Hash256.Compute("other"u8) },
        ];

        Assert.Equal(variants.Length, variants.Select(v => v.ComputeHash()).Distinct().Count());
    }

    [Fact]
    public void ComputeHash_StringBoundariesShifted_Differs()
    {
        // Length prefixes keep "ab" + link "c" apart from "a" + link "bc".
        var a = new CatalogLeaf("ab", 2, 0, 0, 0, "c", Hash256.Empty);
        var b = new CatalogLeaf("a", 2, 0, 0, 0, "bc", Hash256.Empty);

        Assert.NotEqual(a.ComputeHash(), b.ComputeHash());
    }

    [Fact]
    public void ComputeHash_LongPath_UsesThePooledBufferAndAgreesWithToBytes()
    {
        var leaf = s_sample with { Path = new string('é', 400), LinkTarget = new string('x', 300) };

        Assert.Equal(Hash256.Compute(leaf.ToBytes()), leaf.ComputeHash());
        Assert.True(leaf.EncodedLength > 256);
    }

    [Fact]
    public void Encode_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => s_sample.Encode(new byte[s_sample.EncodedLength - 1]));
    }

    [Fact]
    public void Root_AnyEntryChanged_Changes()
    {
        var entries = Enumerable.Range(0, 7)
            .Select(i => s_sample with { Path = $"dir/{i}", Size = i * 10 })
            .ToList();
        var original = RootOf(entries);
        var roots = new HashSet<Hash256> { original };
        for (var i = 0; i < entries.Count; i++)
        {
            var changed = entries.ToList();
            changed[i] = changed[i] with { Mode = changed[i].Mode ^ 1 };
            Assert.True(roots.Add(RootOf(changed)), $"changing entry {i} left the root unchanged");
        }

        Assert.True(roots.Add(RootOf(entries.Take(6))));
        Assert.True(roots.Add(RootOf([.. entries, s_sample with { Path = "dir/7" }])));
        Assert.Equal(original, RootOf(entries));
    }

    private static Hash256 RootOf(IEnumerable<CatalogLeaf> leaves)
    {
        var builder = new MerkleTreeBuilder();
        foreach (var leaf in leaves)
        {
            builder.Append(leaf.ComputeHash());
        }

        return builder.ComputeRoot();
    }
}

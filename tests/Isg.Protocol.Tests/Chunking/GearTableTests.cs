using System.Buffers.Binary;
using System.Security.Cryptography;
using Isg.Protocol.Chunking;

namespace Isg.Protocol.Tests.Chunking;

public sealed class GearTableTests
{
    [Fact]
    public void Default_Entries_AreSha256CounterModeOverLabel()
    {
        var table = GearTable.Default;
        for (var block = 0; block < GearTable.Length / 4; block++)
        {
            var input = new byte[15];
            "isg gear v1"u8.CopyTo(input);
            BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(11), (uint)block);
            var digest = SHA256.HashData(input);
            for (var word = 0; word < 4; word++)
            {
                Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(digest.AsSpan(word * 8)), table[(block * 4) + word]);
            }
        }
    }

    [Fact]
    public void Default_FirstEntry_MatchesKnownAnswer()
    {
        // SHA-256("isg gear v1" 00 00 00 00), first 8 bytes, computed once with an independent tool (Python hashlib).
        Assert.Equal(0xf4c1d43b89025103UL, GearTable.Default[0]);
    }

    [Fact]
    public void Default_Entries_AreDistinct()
    {
        Assert.Equal(GearTable.Length, GearTable.Default.ToArray().Distinct().Count());
    }

    [Fact]
    public void FromSeed_SameSeed_SameTable()
    {
        var seed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(GearTable.FromSeed(seed).ToArray(), GearTable.FromSeed(seed).ToArray());
    }

    [Fact]
    public void FromSeed_Entries_AreHmacSha256CounterMode()
    {
        var seed = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var table = GearTable.FromSeed(seed);
        var input = new byte[15];
        "isg gear v1"u8.CopyTo(input);
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(11), 63);
        var digest = HMACSHA256.HashData(seed, input);
        Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(digest.AsSpan(24)), table[255]);
    }

    [Fact]
    public void FromSeed_DifferentSeeds_DifferentTablesAndNotDefault()
    {
        var a = new byte[32];
        var b = new byte[32];
        b[31] = 1;
        var tableA = GearTable.FromSeed(a).ToArray();
        var tableB = GearTable.FromSeed(b).ToArray();
        Assert.NotEqual(tableA, tableB);
        Assert.NotEqual(GearTable.Default.ToArray(), tableA);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromSeed_WrongLength_Throws(int length)
    {
        var thrown = Assert.Throws<ArgumentException>(() => GearTable.FromSeed(new byte[length]));
        Assert.Equal("seed32", thrown.ParamName);
    }

    [Fact]
    public void ToArray_Mutated_DoesNotChangeTable()
    {
        var copy = GearTable.Default.ToArray();
        var original = copy[7];
        copy[7] = ~original;
        Assert.Equal(original, GearTable.Default[7]);
    }
}

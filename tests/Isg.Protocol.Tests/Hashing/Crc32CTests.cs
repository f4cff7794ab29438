using Isg.Protocol.Hashing;

namespace Isg.Protocol.Tests.Hashing;

public sealed class Crc32CTests
{
    [Fact]
    public void Compute_CheckString_MatchesTheCastagnoliCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Compute_Empty_IsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Append_SplitAnywhere_EqualsWhole()
    {
        var data = new byte[97];
        new Random(3).NextBytes(data);
        var whole = Crc32C.Compute(data);
        for (var split = 0; split <= data.Length; split++)
        {
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Compute_OneBitFlipped_Changes()
    {
        var data = new byte[4096];
        new Random(5).NextBytes(data);
        var before = Crc32C.Compute(data);
        data[1234] ^= 0x10;
        Assert.NotEqual(before, Crc32C.Compute(data));
    }
}

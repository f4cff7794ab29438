using System.Buffers.Binary;
using Isg.Protocol.Sealing;

namespace Isg.Protocol.Tests.Sealing;

public sealed class GhashTests
{
    [Fact]
    public void Finish_NistGcmTestCase2_GivesThePublishedGhash()
    {
        // SP 800-38D's reference document, "The Galois/Counter Mode of Operation", test case 2: K = 0^128, P = 0^128.
        if (!SupportedElseRefused())
        {
            return;
        }

        var ghash = new Ghash(Convert.FromHexString("66e94bd4ef8a2c3b884cfa59ca342b2e"));
        ghash.Update(Convert.FromHexString("0388dace60b6a392f328c2b971b2fe78"));
        ghash.UpdateLengths(0, 16);
        var value = new byte[16];
        ghash.Finish(value);

        Assert.Equal("f38cbb1ad69223dcc3457ae5b6b0f885", Convert.ToHexStringLower(value));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(24, 1)]
    [InlineData(24, 15)]
    [InlineData(24, 16)]
    [InlineData(0, 255)]
    [InlineData(24, 256)]
    [InlineData(13, 257)]
    [InlineData(24, 4096 + 7)]
    [InlineData(300, 65536)]
    public void Update_AnyLengths_EqualsTheBitwiseDefinition(int associatedLength, int ciphertextLength)
    {
        if (!SupportedElseRefused())
        {
            return;
        }

        var random = new Random(associatedLength * 7919 + ciphertextLength);
        var h = new byte[16];
        var associated = new byte[associatedLength];
        var ciphertext = new byte[ciphertextLength];
        random.NextBytes(h);
        random.NextBytes(associated);
        random.NextBytes(ciphertext);

        var ghash = new Ghash(h);
        ghash.Update(associated);
        ghash.Update(ciphertext);
        ghash.UpdateLengths(associatedLength, ciphertextLength);
        var value = new byte[16];
        ghash.Finish(value);

        Assert.Equal(Convert.ToHexString(BitwiseGhash(h, associated, ciphertext)), Convert.ToHexString(value));
    }

    [Fact]
    public void Update_SplitAtBlockBoundaries_EqualsOneUpdate()
    {
        if (!SupportedElseRefused())
        {
            return;
        }

        var random = new Random(5);
        var h = new byte[16];
        var data = new byte[16 * 50];
        random.NextBytes(h);
        random.NextBytes(data);
        var whole = new Ghash(h);
        whole.Update(data);
        var split = new Ghash(h);
        split.Update(data.AsSpan(0, 16 * 3));
        split.Update(data.AsSpan(16 * 3, 16 * 20));
        split.Update(data.AsSpan(16 * 23));
        var expected = new byte[16];
        var actual = new byte[16];
        whole.Finish(expected);
        split.Finish(actual);

        Assert.Equal(expected, actual);
    }

    // Where the CPU lacks the instructions, all there is to test is that Ghash refuses to start.
    private static bool SupportedElseRefused()
    {
        if (!Ghash.IsSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => new Ghash(new byte[16]));
        }

        return Ghash.IsSupported;
    }

    // SP 800-38D, algorithm 1 and 2, one bit at a time: the definition the carry-less version must agree with.
    private static byte[] BitwiseGhash(byte[] h, byte[] associated, byte[] ciphertext)
    {
        var hValue = BinaryPrimitives.ReadUInt128BigEndian(h);
        UInt128 y = 0;
        foreach (var block in Blocks(associated).Concat(Blocks(ciphertext)).Append(LengthBlock(associated.Length, ciphertext.Length)))
        {
            y = MultiplyBitwise(y ^ block, hValue);
        }

        var result = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(result, y);
        return result;
    }

    private static IEnumerable<UInt128> Blocks(byte[] data)
    {
        for (var offset = 0; offset < data.Length; offset += 16)
        {
            var block = new byte[16];
            data.AsSpan(offset, Math.Min(16, data.Length - offset)).CopyTo(block);
            yield return BinaryPrimitives.ReadUInt128BigEndian(block);
        }
    }

    private static UInt128 LengthBlock(long associatedBytes, long ciphertextBytes) =>
        ((UInt128)(ulong)(associatedBytes * 8) << 64) | (ulong)(ciphertextBytes * 8);

    private static UInt128 MultiplyBitwise(UInt128 x, UInt128 y)
    {
        var r = (UInt128)0xE1 << 120;
        UInt128 z = 0;
        var v = y;
        for (var i = 127; i >= 0; i--)
        {
            if (((x >> i) & 1) == 1)
            {
                z ^= v;
            }

            v = (v & 1) == 1 ? (v >> 1) ^ r : v >> 1;
        }

        return z;
    }
}

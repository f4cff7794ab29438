using System.Security.Cryptography;
using Isg.Protocol.Sealing;

namespace Isg.Protocol.Tests.Sealing;

public sealed class GcmTagCheckTests
{
    [Fact]
    public void Matches_NistGcmTestCase14_AcceptsThePublishedTag()
    {
        // "The Galois/Counter Mode of Operation", test case 14: AES-256, K = 0^256, IV = 0^96, P = 0^128.
        var ciphertext = Convert.FromHexString("cea7403d4d606b6e074ec5d3baf39d18");
        var tag = Convert.FromHexString("d0d1c8a799996bf0265b98b5d48ab919");
        if (!Ghash.IsSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => GcmTagCheck.Matches(new byte[32], new byte[12], [], ciphertext, tag));
            return;
        }

        Assert.True(GcmTagCheck.Matches(new byte[32], new byte[12], [], ciphertext, tag));
        tag[15] ^= 1;
        Assert.False(GcmTagCheck.Matches(new byte[32], new byte[12], [], ciphertext, tag));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(1000)]
    [InlineData(1 << 20)]
    public void Matches_AesGcmTag_TrueAndFalseForAnyChangedByte(int length)
    {
        var random = new Random(length);
        var key = new byte[32];
        var nonce = new byte[12];
        var associated = new byte[24];
        var plaintext = new byte[length];
        random.NextBytes(key);
        random.NextBytes(nonce);
        random.NextBytes(associated);
        random.NextBytes(plaintext);
        var ciphertext = new byte[length];
        var tag = new byte[16];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, associated);
        }

        if (!Ghash.IsSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => GcmTagCheck.Matches(key, nonce, associated, ciphertext, tag));
            return;
        }

        Assert.True(GcmTagCheck.Matches(key, nonce, associated, ciphertext, tag));
        foreach (var (buffer, name) in new[] { (ciphertext, "ciphertext"), (associated, "associated data"), (tag, "tag"), (nonce, "nonce"), (key, "key") })
        {
            if (buffer.Length == 0)
            {
                continue;
            }

            var offset = random.Next(buffer.Length);
            var flip = (byte)(1 << random.Next(8));
            buffer[offset] ^= flip;
            Assert.False(GcmTagCheck.Matches(key, nonce, associated, ciphertext, tag), $"a changed byte of the {name} passed");
            buffer[offset] ^= flip;
            Assert.True(GcmTagCheck.Matches(key, nonce, associated, ciphertext, tag));
        }
    }
}

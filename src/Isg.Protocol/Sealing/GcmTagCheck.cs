using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Isg.Protocol.Sealing;

/// <summary>
/// Checks an AES-GCM tag without decrypting: tag = GHASH_H(A, C) xor E_K(J0), with H = E_K(0^128) and, for a 96-bit
/// nonce, J0 = nonce || 0^31 || 1 (NIST SP 800-38D, 7.2). Only two AES blocks run; <see cref="Ghash"/> covers the
/// rest. The answer equals <see cref="AesGcm.Decrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, ReadOnlySpan{byte})"/>'s
/// success, compared in constant time. Only where <see cref="Ghash.IsSupported"/>.
/// </summary>
internal static class GcmTagCheck
{
    /// <summary>The nonce length the check supports, GCM's 96 bits.</summary>
    public const int NonceLength = 12;

    /// <summary>True when <paramref name="tag"/> (16 bytes) authenticates <paramref name="associatedData"/> and <paramref name="ciphertext"/> under this key and nonce.</summary>
    public static bool Matches(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData,
        ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"the nonce must be {NonceLength} bytes, got {nonce.Length}", nameof(nonce));
        }

        if (tag.Length != Ghash.BlockSize)
        {
            throw new ArgumentException($"the tag must be {Ghash.BlockSize} bytes, got {tag.Length}", nameof(tag));
        }

        // Block 0: the zero block, which encrypts to H. Block 1: J0, whose encryption masks the GHASH value.
        Span<byte> blocks = stackalloc byte[2 * Ghash.BlockSize];
        Span<byte> expected = stackalloc byte[Ghash.BlockSize];
        try
        {
            blocks.Clear();
            nonce.CopyTo(blocks[Ghash.BlockSize..]);
            BinaryPrimitives.WriteUInt32BigEndian(blocks[(Ghash.BlockSize + NonceLength)..], 1);
            using (var aes = Aes.Create())
            {
                aes.SetKey(key);
                aes.EncryptEcb(blocks, blocks, PaddingMode.None);
            }

            var ghash = new Ghash(blocks[..Ghash.BlockSize]);
            ghash.Update(associatedData);
            ghash.Update(ciphertext);
            ghash.UpdateLengths(associatedData.Length, ciphertext.Length);
            ghash.Finish(expected);
            for (var i = 0; i < Ghash.BlockSize; i++)
            {
                expected[i] ^= blocks[Ghash.BlockSize + i];
            }

            return CryptographicOperations.FixedTimeEquals(expected, tag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blocks);
            CryptographicOperations.ZeroMemory(expected);
        }
    }
}

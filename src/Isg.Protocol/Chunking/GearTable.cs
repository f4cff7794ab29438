using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Isg.Protocol.Chunking;

/// <summary>
/// The 256 random 64-bit values of the Gear rolling hash, one per byte value. <see cref="Default"/> is public and fixed;
/// <see cref="FromSeed"/> gives a table keyed by a repository secret, so that a platform cannot recognise known files
/// by their chunk lengths. Immutable and thread-safe.
/// </summary>
public sealed class GearTable
{
    /// <summary>Number of entries (one per byte value).</summary>
    public const int Length = 256;

    /// <summary>Length of the seed <see cref="FromSeed"/> takes, in bytes.</summary>
    public const int SeedLength = 32;

    private static ReadOnlySpan<byte> Label => "isg gear v1"u8;

    private readonly ulong[] _values;

    private GearTable(ulong[] values) => _values = values;

    /// <summary>
    /// The public table: entry i is big-endian bytes 8(i mod 4) .. 8(i mod 4)+7 of
    /// SHA-256(ASCII "isg gear v1" || uint32 big-endian (i div 4)).
    /// </summary>
    public static GearTable Default { get; } = Generate(seed: null);

    /// <summary>
    /// A keyed table: as <see cref="Default"/> but with HMAC-SHA256 keyed by the 32-byte <paramref name="seed32"/> in place
    /// of SHA-256. Throws <see cref="ArgumentException"/> unless the seed is exactly <see cref="SeedLength"/> bytes.
    /// </summary>
    public static GearTable FromSeed(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedLength)
        {
            throw new ArgumentException($"a gear seed is {SeedLength} bytes, got {seed32.Length}", nameof(seed32));
        }

        return Generate(seed32.ToArray());
    }

    /// <summary>Entry <paramref name="index"/> (0..255).</summary>
    public ulong this[int index] => _values[index];

    /// <summary>A copy of the 256 entries.</summary>
    public ulong[] ToArray() => (ulong[])_values.Clone();

    internal ReadOnlySpan<ulong> Values => _values;

    private static GearTable Generate(byte[]? seed)
    {
        const int WordsPerDigest = 32 / sizeof(ulong);
        var values = new ulong[Length];
        Span<byte> input = stackalloc byte[Label.Length + sizeof(uint)];
        Span<byte> digest = stackalloc byte[32];
        Label.CopyTo(input);
        try
        {
            for (var block = 0; block < Length / WordsPerDigest; block++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(input[Label.Length..], (uint)block);
                if (seed is null)
                {
                    SHA256.HashData(input, digest);
                }
                else
                {
                    HMACSHA256.HashData(seed, input, digest);
                }

                for (var word = 0; word < WordsPerDigest; word++)
                {
                    values[(block * WordsPerDigest) + word] = BinaryPrimitives.ReadUInt64BigEndian(digest[(word * sizeof(ulong))..]);
                }
            }
        }
        finally
        {
            // The digests of a keyed table are derived from a secret; do not leave them on the stack or in the copy.
            CryptographicOperations.ZeroMemory(digest);
            if (seed is not null)
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }

        return new GearTable(values);
    }
}

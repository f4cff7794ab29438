using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Isg.Protocol.Erasure;

/// <summary>
/// The roots of an error locator σ(x) = 1 + σ_1 x + … + σ_L x^L among x = α^−q, q = 0..254: all 255 points are
/// evaluated at once as Σ σ_j·(α^−q)^j, each term a multiply-by-constant of a precomputed row of powers
/// (split-nibble VPSHUFB when AVX2 is there, table lookups otherwise).
/// </summary>
internal static unsafe class ChienSearch
{
    /// <summary>The highest locator degree searched: half the largest parity.</summary>
    public const int MaxDegree = ReedSolomonErrorCorrector.MaxParityBytes / 2;

    // s_powers[(j << 8) + q] = α^(−q·j); column 255 repeats q = 0 and is never read as a root.
    private static readonly byte[] s_powers = BuildPowers();

    // s_highProducts[(c << 4) + h] = c·(h << 4); the low-nibble products are the first 16 of ProductRow(c).
    private static readonly byte[] s_highProducts = BuildHighProducts();

    /// <summary>
    /// Writes the powers q &lt; <paramref name="length"/> with σ(α^−q) = 0 to <paramref name="roots"/> and returns true
    /// when there are exactly <paramref name="degree"/> of them (σ_degree ≠ 0 and degree ≤ <see cref="MaxDegree"/>).
    /// </summary>
    public static bool TryFindRoots(ReadOnlySpan<byte> sigma, int degree, int length, Span<byte> roots) =>
        TryFindRoots(sigma, degree, length, roots, Avx2.IsSupported);

    /// <summary><see cref="TryFindRoots(ReadOnlySpan{byte}, int, int, Span{byte})"/> on the vector or the scalar loop (tests).</summary>
    internal static bool TryFindRoots(ReadOnlySpan<byte> sigma, int degree, int length, Span<byte> roots, bool vector)
    {
        Span<byte> values = stackalloc byte[256];
        if (vector && Avx2.IsSupported)
        {
            EvaluateAvx2(sigma, degree, values);
        }
        else
        {
            EvaluateScalar(sigma, degree, values);
        }

        var found = 0;
        var searched = values[..length];
        for (var q = searched.IndexOf((byte)0); q >= 0; q = NextZero(searched, q + 1))
        {
            if (found == degree)
            {
                return false;
            }

            roots[found++] = (byte)q;
        }

        return found == degree;
    }

    private static int NextZero(ReadOnlySpan<byte> values, int from)
    {
        var index = values[from..].IndexOf((byte)0);
        return index < 0 ? -1 : from + index;
    }

    private static void EvaluateScalar(ReadOnlySpan<byte> sigma, int degree, Span<byte> values)
    {
        values.Fill(1);
        for (var j = 1; j <= degree; j++)
        {
            if (sigma[j] == 0)
            {
                continue;
            }

            var products = GaloisField.ProductRow(sigma[j]);
            var powers = s_powers.AsSpan(j << 8, 256);
            for (var q = 0; q < 256; q++)
            {
                values[q] ^= products[powers[q]];
            }
        }
    }

    private static void EvaluateAvx2(ReadOnlySpan<byte> sigma, int degree, Span<byte> values)
    {
        var mask = Vector256.Create((byte)0x0F);
        var a0 = Vector256.Create((byte)1);
        Vector256<byte> a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        fixed (byte* powersBase = s_powers)
        fixed (byte* highBase = s_highProducts)
        {
            for (var j = 1; j <= degree; j++)
            {
                var c = sigma[j];
                if (c == 0)
                {
                    continue;
                }

                fixed (byte* lowTable = GaloisField.ProductRow(c))
                {
                    var low = Avx2.BroadcastVector128ToVector256(lowTable);
                    var high = Avx2.BroadcastVector128ToVector256(highBase + (c << 4));
                    var powers = powersBase + (j << 8);
                    a0 ^= Multiply(Vector256.Load(powers), low, high, mask);
                    a1 ^= Multiply(Vector256.Load(powers + 32), low, high, mask);
                    a2 ^= Multiply(Vector256.Load(powers + 64), low, high, mask);
                    a3 ^= Multiply(Vector256.Load(powers + 96), low, high, mask);
                    a4 ^= Multiply(Vector256.Load(powers + 128), low, high, mask);
                    a5 ^= Multiply(Vector256.Load(powers + 160), low, high, mask);
                    a6 ^= Multiply(Vector256.Load(powers + 192), low, high, mask);
                    a7 ^= Multiply(Vector256.Load(powers + 224), low, high, mask);
                }
            }
        }

        fixed (byte* output = values)
        {
            a0.Store(output);
            a1.Store(output + 32);
            a2.Store(output + 64);
            a3.Store(output + 96);
            a4.Store(output + 128);
            a5.Store(output + 160);
            a6.Store(output + 192);
            a7.Store(output + 224);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Multiply(Vector256<byte> v, Vector256<byte> low, Vector256<byte> high, Vector256<byte> mask) =>
        Avx2.Shuffle(low, v & mask) ^ Avx2.Shuffle(high, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);

    private static byte[] BuildPowers()
    {
        var powers = new byte[(MaxDegree + 1) << 8];
        var exp = GaloisField.ExpTable;
        for (var j = 0; j <= MaxDegree; j++)
        {
            for (var q = 0; q < 256; q++)
            {
                powers[(j << 8) + q] = exp[(255 - (q * j % 255)) % 255];
            }
        }

        return powers;
    }

    private static byte[] BuildHighProducts()
    {
        var table = new byte[256 * 16];
        for (var c = 0; c < 256; c++)
        {
            for (var h = 0; h < 16; h++)
            {
                table[(c << 4) + h] = GaloisField.Multiply((byte)c, (byte)(h << 4));
            }
        }

        return table;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Isg.Protocol.Erasure;

/// <summary>
/// The managed engine: outputs are built a vector at a time, each the XOR of every source multiplied by its
/// coefficient (GF2P8AFFINEQB, or two 16-entry PSHUFB lookups for the low and high nibble); a scalar loop
/// finishes the tail shorter than one vector.
/// </summary>
internal sealed unsafe class ManagedEngine(GaloisKernel kernel) : ErasureEngine
{
    /// <summary>The loop this engine runs.</summary>
    public GaloisKernel Kernel { get; } = kernel;

    /// <inheritdoc />
    public override ErasureImplementation Implementation => ErasureImplementation.Managed;

    /// <inheritdoc />
    public override void GenerateMatrix(Span<byte> matrix, int rows, int k) => GaloisField.GenerateCauchyMatrix(matrix, rows, k);

    /// <inheritdoc />
    public override bool TryInvert(Span<byte> matrix, Span<byte> inverse, int n) => GaloisField.TryInvert(matrix, inverse, n);

    /// <inheritdoc />
    public override CodingTables BuildTables(ReadOnlySpan<byte> coefficients, int rows, int k)
    {
        var count = rows * k;
        var copy = coefficients[..count].ToArray();
        var nibbles = new byte[32 * count];
        var affine = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            var c = copy[i];
            for (var x = 0; x < 16; x++)
            {
                nibbles[(32 * i) + x] = GaloisField.Multiply(c, (byte)x);
                nibbles[(32 * i) + 16 + x] = GaloisField.Multiply(c, (byte)(x << 4));
            }

            affine[i] = GaloisField.AffineMatrix(c);
        }

        return new CodingTables(rows, k, copy, nibbles, affine);
    }

    /// <inheritdoc />
    public override void Apply(CodingTables tables, int length, byte** sources, byte** outputs)
    {
        int done;
        fixed (byte* nibbles = tables.Nibbles)
        fixed (ulong* affine = tables.Affine)
        {
            done = Kernel switch
            {
                GaloisKernel.Ssse3 => ApplySsse3(nibbles, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Avx2 => ApplyAvx2(nibbles, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Avx512 => ApplyAvx512(nibbles, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Gfni128 => ApplyGfni128(affine, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Gfni256 => ApplyGfni256(affine, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Gfni512 => ApplyGfni512(affine, tables.Rows, tables.K, length, sources, outputs),
                _ => 0,
            };
        }

        if (done < length)
        {
            ApplyScalar(tables.Coefficients, tables.Rows, tables.K, done, length, sources, outputs);
        }
    }

    /// <summary>The reference loop over bytes [<paramref name="start"/>, <paramref name="length"/>).</summary>
    internal static void ApplyScalar(byte[] coefficients, int rows, int k, int start, int length, byte** sources, byte** outputs)
    {
        for (var r = 0; r < rows; r++)
        {
            var output = outputs[r];
            for (var j = 0; j < k; j++)
            {
                var source = sources[j];
                fixed (byte* products = GaloisField.ProductRow(coefficients[(r * k) + j]))
                {
                    if (j == 0)
                    {
                        for (var p = start; p < length; p++)
                        {
                            output[p] = products[source[p]];
                        }
                    }
                    else
                    {
                        for (var p = start; p < length; p++)
                        {
                            output[p] ^= products[source[p]];
                        }
                    }
                }
            }
        }
    }

    private static int ApplySsse3(byte* nibbles, int rows, int k, int length, byte** sources, byte** outputs)
    {
        var end = length & ~15;
        var mask = Vector128.Create((byte)0x0F);
        for (var p = 0; p < end; p += 16)
        {
            var table = nibbles;
            for (var r = 0; r < rows; r++)
            {
                var sum = Vector128<byte>.Zero;
                for (var j = 0; j < k; j++, table += 32)
                {
                    var v = Vector128.Load(sources[j] + p);
                    var low = Ssse3.Shuffle(Vector128.Load(table), v & mask);
                    var high = Ssse3.Shuffle(Vector128.Load(table + 16), Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);
                    sum ^= low ^ high;
                }

                sum.Store(outputs[r] + p);
            }
        }

        return end;
    }

    private static int ApplyAvx2(byte* nibbles, int rows, int k, int length, byte** sources, byte** outputs)
    {
        var end = length & ~31;
        var mask = Vector256.Create((byte)0x0F);
        for (var p = 0; p < end; p += 32)
        {
            var table = nibbles;
            for (var r = 0; r < rows; r++)
            {
                var sum = Vector256<byte>.Zero;
                for (var j = 0; j < k; j++, table += 32)
                {
                    var v = Vector256.Load(sources[j] + p);
                    var low = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(table), v & mask);
                    var high = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(table + 16), Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);
                    sum ^= low ^ high;
                }

                sum.Store(outputs[r] + p);
            }
        }

        return end;
    }

    private static int ApplyAvx512(byte* nibbles, int rows, int k, int length, byte** sources, byte** outputs)
    {
        var end = length & ~63;
        var mask = Vector512.Create((byte)0x0F);
        for (var p = 0; p < end; p += 64)
        {
            var table = nibbles;
            for (var r = 0; r < rows; r++)
            {
                var sum = Vector512<byte>.Zero;
                for (var j = 0; j < k; j++, table += 32)
                {
                    var v = Vector512.Load(sources[j] + p);
                    var low = Avx512BW.Shuffle(Broadcast512(table), v & mask);
                    var high = Avx512BW.Shuffle(Broadcast512(table + 16), Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);
                    sum ^= low ^ high;
                }

                sum.Store(outputs[r] + p);
            }
        }

        return end;
    }

    private static int ApplyGfni128(ulong* affine, int rows, int k, int length, byte** sources, byte** outputs)
    {
        var end = length & ~15;
        for (var p = 0; p < end; p += 16)
        {
            var matrix = affine;
            for (var r = 0; r < rows; r++)
            {
                var sum = Vector128<byte>.Zero;
                for (var j = 0; j < k; j++, matrix++)
                {
                    sum ^= Gfni.GaloisFieldAffineTransform(Vector128.Load(sources[j] + p), Vector128.Create(*matrix).AsByte(), 0);
                }

                sum.Store(outputs[r] + p);
            }
        }

        return end;
    }

    private static int ApplyGfni256(ulong* affine, int rows, int k, int length, byte** sources, byte** outputs)
    {
        var end = length & ~31;
        for (var p = 0; p < end; p += 32)
        {
            var matrix = affine;
            for (var r = 0; r < rows; r++)
            {
                var sum = Vector256<byte>.Zero;
                for (var j = 0; j < k; j++, matrix++)
                {
                    sum ^= Gfni.V256.GaloisFieldAffineTransform(Vector256.Load(sources[j] + p), Vector256.Create(*matrix).AsByte(), 0);
                }

                sum.Store(outputs[r] + p);
            }
        }

        return end;
    }

    private static int ApplyGfni512(ulong* affine, int rows, int k, int length, byte** sources, byte** outputs)
    {
        var end = length & ~63;
        var r = 0;

        // Four outputs per pass load each source vector once instead of four times.
        for (; r + 4 <= rows; r += 4)
        {
            Gfni512FourRows(affine + (r * k), k, end, sources, outputs + r);
        }

        if (r + 2 <= rows)
        {
            Gfni512TwoRows(affine + (r * k), k, end, sources, outputs + r);
            r += 2;
        }

        for (; r < rows; r++)
        {
            Gfni512OneRow(affine + (r * k), k, end, sources, outputs[r]);
        }

        return end;
    }

    private static void Gfni512FourRows(ulong* affine, int k, int end, byte** sources, byte** outputs)
    {
        byte* output0 = outputs[0], output1 = outputs[1], output2 = outputs[2], output3 = outputs[3];
        for (var p = 0; p < end; p += 64)
        {
            var sum0 = Vector512<byte>.Zero;
            var sum1 = Vector512<byte>.Zero;
            var sum2 = Vector512<byte>.Zero;
            var sum3 = Vector512<byte>.Zero;
            for (var j = 0; j < k; j++)
            {
                var v = Vector512.Load(sources[j] + p);
                sum0 ^= Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(affine[j]).AsByte(), 0);
                sum1 ^= Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(affine[k + j]).AsByte(), 0);
                sum2 ^= Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(affine[(2 * k) + j]).AsByte(), 0);
                sum3 ^= Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(affine[(3 * k) + j]).AsByte(), 0);
            }

            sum0.Store(output0 + p);
            sum1.Store(output1 + p);
            sum2.Store(output2 + p);
            sum3.Store(output3 + p);
        }
    }

    private static void Gfni512TwoRows(ulong* affine, int k, int end, byte** sources, byte** outputs)
    {
        byte* output0 = outputs[0], output1 = outputs[1];
        for (var p = 0; p < end; p += 64)
        {
            var sum0 = Vector512<byte>.Zero;
            var sum1 = Vector512<byte>.Zero;
            for (var j = 0; j < k; j++)
            {
                var v = Vector512.Load(sources[j] + p);
                sum0 ^= Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(affine[j]).AsByte(), 0);
                sum1 ^= Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(affine[k + j]).AsByte(), 0);
            }

            sum0.Store(output0 + p);
            sum1.Store(output1 + p);
        }
    }

    private static void Gfni512OneRow(ulong* affine, int k, int end, byte** sources, byte* output)
    {
        for (var p = 0; p < end; p += 64)
        {
            var sum = Vector512<byte>.Zero;
            for (var j = 0; j < k; j++)
            {
                sum ^= Gfni.V512.GaloisFieldAffineTransform(Vector512.Load(sources[j] + p), Vector512.Create(affine[j]).AsByte(), 0);
            }

            sum.Store(output + p);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Broadcast512(byte* table)
    {
        var lane = Vector128.Load(table);
        var half = Vector256.Create(lane, lane);
        return Vector512.Create(half, half);
    }
}

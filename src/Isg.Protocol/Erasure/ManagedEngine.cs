using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Isg.Protocol.Erasure.GaloisLanes;

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
    public override CodingTables BuildTables(ReadOnlySpan<byte> coefficients, int rows, int k) => GaloisLanes.BuildTables(coefficients, rows, k);

    /// <inheritdoc />
    public override void Apply(CodingTables tables, int length, byte** sources, byte** outputs)
    {
        int done;
        fixed (byte* nibbles = tables.Nibbles)
        fixed (ulong* affine = tables.Affine)
        {
            var coefficients = new Coefficients(nibbles, affine);
            done = Kernel switch
            {
                GaloisKernel.Ssse3 => ApplyVectors<Ssse3Lanes, Vector128<byte>>(coefficients, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Avx2 => ApplyVectors<Avx2Lanes, Vector256<byte>>(coefficients, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Avx512 => ApplyVectors<Avx512Lanes, Vector512<byte>>(coefficients, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Gfni128 => ApplyVectors<Gfni128Lanes, Vector128<byte>>(coefficients, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Gfni256 => ApplyVectors<Gfni256Lanes, Vector256<byte>>(coefficients, tables.Rows, tables.K, length, sources, outputs),
                GaloisKernel.Gfni512 => ApplyVectors<Gfni512Lanes, Vector512<byte>>(coefficients, tables.Rows, tables.K, length, sources, outputs),
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

    // Outputs go four (then two, then one) at a time so each source vector is loaded once per group.
    private static int ApplyVectors<TLanes, TVector>(Coefficients coefficients, int rows, int k, int length, byte** sources, byte** outputs)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        var end = length - (length % TLanes.Width);
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            FourRows<TLanes, TVector>(coefficients.At(r * k), k, end, sources, outputs + r);
        }

        if (r + 2 <= rows)
        {
            TwoRows<TLanes, TVector>(coefficients.At(r * k), k, end, sources, outputs + r);
            r += 2;
        }

        if (r < rows)
        {
            OneRow<TLanes, TVector>(coefficients.At(r * k), k, end, sources, outputs[r]);
        }

        return end;
    }

    private static void FourRows<TLanes, TVector>(Coefficients coefficients, int k, int end, byte** sources, byte** outputs)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        byte* output0 = outputs[0], output1 = outputs[1], output2 = outputs[2], output3 = outputs[3];
        Coefficients row1 = coefficients.At(k), row2 = coefficients.At(2 * k), row3 = coefficients.At(3 * k);
        for (var p = 0; p < end; p += TLanes.Width)
        {
            TVector sum0 = default, sum1 = default, sum2 = default, sum3 = default;
            for (var j = 0; j < k; j++)
            {
                var v = TLanes.Load(sources[j] + p);
                sum0 = TLanes.MultiplyAdd(sum0, v, coefficients, j);
                sum1 = TLanes.MultiplyAdd(sum1, v, row1, j);
                sum2 = TLanes.MultiplyAdd(sum2, v, row2, j);
                sum3 = TLanes.MultiplyAdd(sum3, v, row3, j);
            }

            TLanes.Store(sum0, output0 + p);
            TLanes.Store(sum1, output1 + p);
            TLanes.Store(sum2, output2 + p);
            TLanes.Store(sum3, output3 + p);
        }
    }

    private static void TwoRows<TLanes, TVector>(Coefficients coefficients, int k, int end, byte** sources, byte** outputs)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        byte* output0 = outputs[0], output1 = outputs[1];
        var row1 = coefficients.At(k);
        for (var p = 0; p < end; p += TLanes.Width)
        {
            TVector sum0 = default, sum1 = default;
            for (var j = 0; j < k; j++)
            {
                var v = TLanes.Load(sources[j] + p);
                sum0 = TLanes.MultiplyAdd(sum0, v, coefficients, j);
                sum1 = TLanes.MultiplyAdd(sum1, v, row1, j);
            }

            TLanes.Store(sum0, output0 + p);
            TLanes.Store(sum1, output1 + p);
        }
    }

    private static void OneRow<TLanes, TVector>(Coefficients coefficients, int k, int end, byte** sources, byte* output)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        for (var p = 0; p < end; p += TLanes.Width)
        {
            TVector sum = default;
            for (var j = 0; j < k; j++)
            {
                sum = TLanes.MultiplyAdd(sum, TLanes.Load(sources[j] + p), coefficients, j);
            }

            TLanes.Store(sum, output + p);
        }
    }
}

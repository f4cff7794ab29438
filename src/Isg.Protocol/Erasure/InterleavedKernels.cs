using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using static Isg.Protocol.Erasure.GaloisLanes;

namespace Isg.Protocol.Erasure;

/// <summary>
/// The column-parallel loops of <see cref="InterleavedCode"/> over a strip of adjacent columns (one codeword each):
/// each Horner step or LFSR step of a vector of codewords is one vector operation. Results go to a caller's scratch of
/// parity × width bytes, small enough to stay in L1.
/// </summary>
internal static unsafe class InterleavedKernels
{
    /// <summary>
    /// Writes the parity rows of the strip of <paramref name="width"/> columns at <paramref name="data"/>: rows
    /// 0..dataRows−1 (every <paramref name="stride"/> bytes) are the data, and the parity rows follow them. The data
    /// is evaluated at the roots (register-resident Horner), then mapped to parity by a fixed matrix: fewer memory
    /// operations than running the LFSR across the strip.
    /// </summary>
    public static void EncodeStrip<TLanes, TVector>(byte* data, int stride, int dataRows, int parity, int width, byte* scratch, Coefficients roots, Coefficients matrix)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        SyndromeStrip<TLanes, TVector>(data, stride, dataRows, parity, width, scratch, roots);
        ParityFromEvaluations<TLanes, TVector>(scratch, width, parity, matrix, data + ((nint)dataRows * stride), stride);
    }

    /// <summary>
    /// Fills <paramref name="syndromes"/> (parity rows of <paramref name="width"/> bytes) with S_r = c(α^r) of each of
    /// the strip's codewords, whose <paramref name="rows"/> bytes lie every <paramref name="stride"/> bytes.
    /// </summary>
    public static void SyndromeStrip<TLanes, TVector>(byte* data, int stride, int rows, int parity, int width, byte* syndromes, Coefficients roots)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        // One vector of columns at a time, eight syndromes per pass kept in registers: a Horner step is then a
        // multiply and an XOR with no load or store, and the column's rows stay in L1 between passes.
        for (var x = 0; x < width; x += TLanes.Width)
        {
            var column = data + x;
            var next = x + TLanes.Width < width ? column + TLanes.Width : null;
            var r = 0;
            for (; r + 8 <= parity; r += 8)
            {
                EightSyndromes<TLanes, TVector>(column, stride, rows, roots.At(r), syndromes + (r * width) + x, width, r + 8 == parity ? next : null);
            }

            for (; r < parity; r++)
            {
                var sum = default(TVector);
                for (var t = 0; t < rows; t++)
                {
                    sum = TLanes.MultiplyAdd(TLanes.Load(column + ((nint)t * stride)), sum, roots, r);
                }

                TLanes.Store(sum, syndromes + (r * width) + x);
            }
        }
    }

    /// <summary>
    /// Writes parity row j (at <paramref name="parityRows"/> + j·stride) of the strip as Σ_r M[j][r]·H_r, from the
    /// data's evaluations H (parity rows of <paramref name="width"/> bytes, as <see cref="SyndromeStrip"/> leaves them
    /// over the data rows) and the parity × parity <paramref name="matrix"/>.
    /// </summary>
    public static void ParityFromEvaluations<TLanes, TVector>(byte* evaluations, int width, int parity, Coefficients matrix, byte* parityRows, int stride)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        for (var x = 0; x < width; x += TLanes.Width)
        {
            var j = 0;
            for (; j + 4 <= parity; j += 4)
            {
                Coefficients row0 = matrix.At(j * parity), row1 = matrix.At((j + 1) * parity), row2 = matrix.At((j + 2) * parity), row3 = matrix.At((j + 3) * parity);
                TVector p0 = default, p1 = default, p2 = default, p3 = default;
                for (var r = 0; r < parity; r++)
                {
                    var h = TLanes.Load(evaluations + (r * width) + x);
                    p0 = TLanes.MultiplyAdd(p0, h, row0, r);
                    p1 = TLanes.MultiplyAdd(p1, h, row1, r);
                    p2 = TLanes.MultiplyAdd(p2, h, row2, r);
                    p3 = TLanes.MultiplyAdd(p3, h, row3, r);
                }

                var output = parityRows + ((nint)j * stride) + x;
                TLanes.Store(p0, output);
                TLanes.Store(p1, output + stride);
                TLanes.Store(p2, output + (2 * (nint)stride));
                TLanes.Store(p3, output + (3 * (nint)stride));
            }

            for (; j < parity; j++)
            {
                var row = matrix.At(j * parity);
                TVector sum = default;
                for (var r = 0; r < parity; r++)
                {
                    sum = TLanes.MultiplyAdd(sum, TLanes.Load(evaluations + (r * width) + x), row, r);
                }

                TLanes.Store(sum, parityRows + ((nint)j * stride) + x);
            }
        }
    }

    /// <summary><see cref="EncodeStrip"/> by the generator's LFSR with table lookups (256 products per tap in <paramref name="products"/>).</summary>
    public static void EncodeStripScalar(byte* data, int stride, int dataRows, int parity, int width, byte* register, byte* products)
    {
        new Span<byte>(register, parity * width).Clear();
        var last = parity - 1;
        for (var t = 0; t < dataRows; t++)
        {
            var row = data + ((nint)t * stride);
            for (var x = 0; x < width; x++)
            {
                var cell = register + x;
                var feedback = row[x] ^ cell[0];
                var column = products + feedback;
                for (var i = 0; i < last; i++)
                {
                    cell[0] = (byte)(cell[width] ^ column[i << 8]);
                    cell += width;
                }

                cell[0] = column[last << 8];
            }
        }

        CopyOut(data + ((nint)dataRows * stride), stride, parity, width, register);
    }

    /// <summary><see cref="SyndromeStrip"/> with table lookups (256 products per root in <paramref name="products"/>).</summary>
    public static void SyndromeStripScalar(byte* data, int stride, int rows, int parity, int width, byte* syndromes, byte* products)
    {
        new Span<byte>(syndromes, parity * width).Clear();
        for (var t = 0; t < rows; t++)
        {
            var row = data + ((nint)t * stride);
            for (var x = 0; x < width; x++)
            {
                var v = row[x];
                var cell = syndromes + x;
                cell[0] ^= v;
                for (var r = 1; r < parity; r++)
                {
                    cell += width;
                    cell[0] = (byte)(products[(r << 8) + cell[0]] ^ v);
                }
            }
        }
    }

    // S_r ← α^r·S_r ⊕ row for eight consecutive roots over every row; the last pass of a column also prefetches the
    // next column's rows (`next`, or null), each in its own page where the hardware prefetcher does not follow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EightSyndromes<TLanes, TVector>(byte* column, int stride, int rows, Coefficients roots, byte* output, int width, byte* next)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        TVector s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (var t = 0; t < rows; t++)
        {
            var offset = (nint)t * stride;
            if (next != null && Sse.IsSupported)
            {
                Sse.Prefetch0(next + offset);
            }

            var v = TLanes.Load(column + offset);
            s0 = TLanes.MultiplyAdd(v, s0, roots, 0);
            s1 = TLanes.MultiplyAdd(v, s1, roots, 1);
            s2 = TLanes.MultiplyAdd(v, s2, roots, 2);
            s3 = TLanes.MultiplyAdd(v, s3, roots, 3);
            s4 = TLanes.MultiplyAdd(v, s4, roots, 4);
            s5 = TLanes.MultiplyAdd(v, s5, roots, 5);
            s6 = TLanes.MultiplyAdd(v, s6, roots, 6);
            s7 = TLanes.MultiplyAdd(v, s7, roots, 7);
        }

        TLanes.Store(s0, output);
        TLanes.Store(s1, output + width);
        TLanes.Store(s2, output + (2 * width));
        TLanes.Store(s3, output + (3 * width));
        TLanes.Store(s4, output + (4 * width));
        TLanes.Store(s5, output + (5 * width));
        TLanes.Store(s6, output + (6 * width));
        TLanes.Store(s7, output + (7 * width));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyOut(byte* parityRows, int stride, int parity, int width, byte* register)
    {
        for (var i = 0; i < parity; i++)
        {
            Buffer.MemoryCopy(register + (i * width), parityRows + ((nint)i * stride), width, width);
        }
    }
}

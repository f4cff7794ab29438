using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using static Isg.Protocol.Erasure.GaloisLanes;

namespace Isg.Protocol.Erasure;

/// <summary>
/// The column-parallel loops of <see cref="InterleavedCode"/>: a strip of adjacent columns (one codeword each) is
/// walked row by row, and each step of every codeword's LFSR or Horner evaluation is one vector operation across the
/// strip. Registers live in a caller's scratch of parity × width bytes, small enough to stay in L1.
/// </summary>
internal static unsafe class InterleavedKernels
{
    private const int PrefetchRows = 2;

    /// <summary>
    /// Writes the parity rows of the strip of <paramref name="width"/> columns at <paramref name="data"/>: rows
    /// 0..dataRows−1 (every <paramref name="stride"/> bytes) are the data, and the parity rows follow them.
    /// </summary>
    public static void EncodeStrip<TLanes, TVector>(byte* data, int stride, int dataRows, int parity, int width, byte* register, Coefficients taps)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        new Span<byte>(register, parity * width).Clear();
        var last = parity - 1;
        var lastRow = register + (last * width);
        for (var t = 0; t < dataRows; t++)
        {
            var row = data + ((nint)t * stride);
            Prefetch(row, stride, width, dataRows - t);
            for (var x = 0; x < width; x += TLanes.Width)
            {
                // Shifting the register down one place while adding g·feedback: reg[i] = reg[i+1] ⊕ g_i·feedback.
                var cell = register + x;
                var feedback = TLanes.Xor(TLanes.Load(row + x), TLanes.Load(cell));
                for (var i = 0; i < last; i++)
                {
                    TLanes.Store(TLanes.MultiplyAdd(TLanes.Load(cell + width), feedback, taps, i), cell);
                    cell += width;
                }

                TLanes.Store(TLanes.MultiplyAdd(default, feedback, taps, last), lastRow + x);
            }
        }

        CopyOut(data + ((nint)dataRows * stride), stride, parity, width, register);
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

    /// <summary><see cref="EncodeStrip"/> with table lookups (256 products per tap in <paramref name="products"/>).</summary>
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

    // Each row of a strip sits in its own page, where the hardware prefetcher does not follow: ask for the row
    // PrefetchRows ahead while this one is being worked on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* row, int stride, int width, int rowsLeft)
    {
        if (!Sse.IsSupported || rowsLeft <= PrefetchRows)
        {
            return;
        }

        var ahead = row + ((nint)PrefetchRows * stride);
        for (var x = 0; x < width; x += 64)
        {
            Sse.Prefetch0(ahead + x);
        }
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

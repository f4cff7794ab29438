using System.Runtime.CompilerServices;
using static Isg.Protocol.Erasure.GaloisLanes;

namespace Isg.Protocol.Erasure;

/// <summary>
/// The column-parallel loops of <see cref="InterleavedCode"/>: a strip of adjacent columns (one codeword each) is
/// walked row by row, and each step of every codeword's LFSR or Horner evaluation is one vector operation across the
/// strip. Registers live in a caller's scratch of parity × width bytes, small enough to stay in L1.
/// </summary>
internal static unsafe class InterleavedKernels
{
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
        new Span<byte>(syndromes, parity * width).Clear();
        for (var t = 0; t < rows; t++)
        {
            var row = data + ((nint)t * stride);
            for (var x = 0; x < width; x += TLanes.Width)
            {
                var v = TLanes.Load(row + x);
                var cell = syndromes + x;
                TLanes.Store(TLanes.Xor(TLanes.Load(cell), v), cell);
                for (var r = 1; r < parity; r++)
                {
                    cell += width;
                    TLanes.Store(TLanes.MultiplyAdd(v, TLanes.Load(cell), roots, r), cell);
                }
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyOut(byte* parityRows, int stride, int parity, int width, byte* register)
    {
        for (var i = 0; i < parity; i++)
        {
            Buffer.MemoryCopy(register + (i * width), parityRows + ((nint)i * stride), width, width);
        }
    }
}

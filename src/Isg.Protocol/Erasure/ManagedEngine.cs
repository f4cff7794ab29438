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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Broadcast256(byte* table) => Avx2.BroadcastVector128ToVector256(table);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Broadcast512(byte* table) => Avx512F.BroadcastVector128ToVector512((uint*)table).AsByte();

    /// <summary>One output row's coefficients: 32 nibble-table bytes and one affine matrix per source.</summary>
    private readonly struct Coefficients(byte* nibbles, ulong* affine)
    {
        public byte* Nibbles { get; } = nibbles;

        public ulong* Affine { get; } = affine;

        public Coefficients At(int index) => new(Nibbles + (32 * index), Affine + index);
    }

    /// <summary>One vector width and multiplication method; static so the JIT specialises each loop.</summary>
    private interface ILanes<TVector>
        where TVector : struct
    {
        static abstract int Width { get; }

        static abstract TVector Load(byte* source);

        static abstract void Store(TVector value, byte* destination);

        /// <summary>sum ⊕ coefficient[j] · v.</summary>
        static abstract TVector MultiplyAdd(TVector sum, TVector v, Coefficients row, int j);
    }

    private readonly struct Ssse3Lanes : ILanes<Vector128<byte>>
    {
        public static int Width => 16;

        public static Vector128<byte> Load(byte* source) => Vector128.Load(source);

        public static void Store(Vector128<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<byte> MultiplyAdd(Vector128<byte> sum, Vector128<byte> v, Coefficients row, int j)
        {
            var mask = Vector128.Create((byte)0x0F);
            var table = row.Nibbles + (32 * j);
            var low = Ssse3.Shuffle(Vector128.Load(table), v & mask);
            var high = Ssse3.Shuffle(Vector128.Load(table + 16), Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);
            return sum ^ low ^ high;
        }
    }

    private readonly struct Avx2Lanes : ILanes<Vector256<byte>>
    {
        public static int Width => 32;

        public static Vector256<byte> Load(byte* source) => Vector256.Load(source);

        public static void Store(Vector256<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> MultiplyAdd(Vector256<byte> sum, Vector256<byte> v, Coefficients row, int j)
        {
            var mask = Vector256.Create((byte)0x0F);
            var table = row.Nibbles + (32 * j);
            var low = Avx2.Shuffle(Broadcast256(table), v & mask);
            var high = Avx2.Shuffle(Broadcast256(table + 16), Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);
            return sum ^ low ^ high;
        }
    }

    private readonly struct Avx512Lanes : ILanes<Vector512<byte>>
    {
        public static int Width => 64;

        public static Vector512<byte> Load(byte* source) => Vector512.Load(source);

        public static void Store(Vector512<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> MultiplyAdd(Vector512<byte> sum, Vector512<byte> v, Coefficients row, int j)
        {
            var mask = Vector512.Create((byte)0x0F);
            var table = row.Nibbles + (32 * j);
            var low = Avx512BW.Shuffle(Broadcast512(table), v & mask);
            var high = Avx512BW.Shuffle(Broadcast512(table + 16), Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & mask);
            return sum ^ low ^ high;
        }
    }

    private readonly struct Gfni128Lanes : ILanes<Vector128<byte>>
    {
        public static int Width => 16;

        public static Vector128<byte> Load(byte* source) => Vector128.Load(source);

        public static void Store(Vector128<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<byte> MultiplyAdd(Vector128<byte> sum, Vector128<byte> v, Coefficients row, int j) =>
            sum ^ Gfni.GaloisFieldAffineTransform(v, Vector128.Create(row.Affine[j]).AsByte(), 0);
    }

    private readonly struct Gfni256Lanes : ILanes<Vector256<byte>>
    {
        public static int Width => 32;

        public static Vector256<byte> Load(byte* source) => Vector256.Load(source);

        public static void Store(Vector256<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> MultiplyAdd(Vector256<byte> sum, Vector256<byte> v, Coefficients row, int j) =>
            sum ^ Gfni.V256.GaloisFieldAffineTransform(v, Vector256.Create(row.Affine[j]).AsByte(), 0);
    }

    private readonly struct Gfni512Lanes : ILanes<Vector512<byte>>
    {
        public static int Width => 64;

        public static Vector512<byte> Load(byte* source) => Vector512.Load(source);

        public static void Store(Vector512<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> MultiplyAdd(Vector512<byte> sum, Vector512<byte> v, Coefficients row, int j) =>
            sum ^ Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(row.Affine[j]).AsByte(), 0);
    }
}

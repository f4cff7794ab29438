using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Isg.Protocol.Erasure;

/// <summary>
/// Multiply-by-constant over vectors of GF(2^8) bytes, one struct per vector width and method (GF2P8AFFINEQB, or two
/// 16-entry PSHUFB lookups for the low and high nibble), shared by the erasure engine and the error-correcting code.
/// </summary>
internal static unsafe class GaloisLanes
{
    /// <summary>Expands rows × k <paramref name="coefficients"/> into 32-byte nibble tables and affine matrices.</summary>
    public static CodingTables BuildTables(ReadOnlySpan<byte> coefficients, int rows, int k)
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Broadcast256(byte* table) => Avx2.BroadcastVector128ToVector256(table);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> Broadcast512(byte* table) => Avx512F.BroadcastVector128ToVector512((uint*)table).AsByte();

    /// <summary>One output row's coefficients: 32 nibble-table bytes and one affine matrix per source.</summary>
    internal readonly struct Coefficients(byte* nibbles, ulong* affine)
    {
        public byte* Nibbles { get; } = nibbles;

        public ulong* Affine { get; } = affine;

        public Coefficients At(int index) => new(Nibbles + (32 * index), Affine + index);
    }

    /// <summary>One vector width and multiplication method; static so the JIT specialises each loop.</summary>
    internal interface ILanes<TVector>
        where TVector : struct
    {
        static abstract int Width { get; }

        static abstract TVector Load(byte* source);

        static abstract void Store(TVector value, byte* destination);

        /// <summary>sum ⊕ coefficient[j] · v.</summary>
        static abstract TVector MultiplyAdd(TVector sum, TVector v, Coefficients row, int j);
    }

    internal readonly struct Ssse3Lanes : ILanes<Vector128<byte>>
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

    internal readonly struct Avx2Lanes : ILanes<Vector256<byte>>
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

    internal readonly struct Avx512Lanes : ILanes<Vector512<byte>>
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

    internal readonly struct Gfni128Lanes : ILanes<Vector128<byte>>
    {
        public static int Width => 16;

        public static Vector128<byte> Load(byte* source) => Vector128.Load(source);

        public static void Store(Vector128<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<byte> MultiplyAdd(Vector128<byte> sum, Vector128<byte> v, Coefficients row, int j) =>
            sum ^ Gfni.GaloisFieldAffineTransform(v, Vector128.Create(row.Affine[j]).AsByte(), 0);
    }

    internal readonly struct Gfni256Lanes : ILanes<Vector256<byte>>
    {
        public static int Width => 32;

        public static Vector256<byte> Load(byte* source) => Vector256.Load(source);

        public static void Store(Vector256<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> MultiplyAdd(Vector256<byte> sum, Vector256<byte> v, Coefficients row, int j) =>
            sum ^ Gfni.V256.GaloisFieldAffineTransform(v, Vector256.Create(row.Affine[j]).AsByte(), 0);
    }

    internal readonly struct Gfni512Lanes : ILanes<Vector512<byte>>
    {
        public static int Width => 64;

        public static Vector512<byte> Load(byte* source) => Vector512.Load(source);

        public static void Store(Vector512<byte> value, byte* destination) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> MultiplyAdd(Vector512<byte> sum, Vector512<byte> v, Coefficients row, int j) =>
            sum ^ Gfni.V512.GaloisFieldAffineTransform(v, Vector512.Create(row.Affine[j]).AsByte(), 0);
    }
}

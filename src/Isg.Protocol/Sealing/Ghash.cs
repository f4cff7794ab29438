using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Isg.Protocol.Sealing;

/// <summary>
/// GHASH, GCM's authenticator (NIST SP 800-38D, 6.4), by carry-less multiplication: sixteen blocks per step, four to
/// a 512-bit multiply against the precomputed powers H^16..H^1, with one reduction per step instead of one per block.
/// Field elements are held byte-reversed (bit-reflected), where GCM's x^0 is the integer's top bit. Checking a sealed
/// block's tag needs only this and two AES blocks, where a decrypt also runs AES over every byte (two fifths of the
/// decrypt's time for 1 MiB: SealingPrimitivesBenchmarks in bench/Isg.Benchmarks). Only where <see cref="IsSupported"/>; a value type
/// of 288 bytes meant for the stack, not thread-safe.
/// </summary>
internal struct Ghash
{
    /// <summary>Bytes per GHASH block.</summary>
    public const int BlockSize = 16;

    private const int StepBytes = 16 * BlockSize;

    // H^16..H^13, H^12..H^9, H^8..H^5, H^4..H^1: lane i of a step's k-th multiply meets block 4k + i.
    private readonly Vector512<ulong> _powers0;
    private readonly Vector512<ulong> _powers1;
    private readonly Vector512<ulong> _powers2;
    private readonly Vector512<ulong> _powers3;
    private readonly Vector128<ulong> _h;

    private Vector128<ulong> _y;

    /// <summary>Starts GHASH under <paramref name="hashKey"/> (H = E_K(0^128), 16 bytes).</summary>
    public Ghash(ReadOnlySpan<byte> hashKey)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("GHASH needs VPCLMULQDQ and AVX-512BW");
        }

        if (hashKey.Length != BlockSize)
        {
            throw new ArgumentException($"a GHASH key is {BlockSize} bytes, got {hashKey.Length}", nameof(hashKey));
        }

        _h = Load(hashKey);
        Span<Vector128<ulong>> powers = stackalloc Vector128<ulong>[17];
        powers[1] = _h;
        for (var i = 2; i <= 16; i++)
        {
            powers[i] = Multiply(powers[i - 1], _h);
        }

        _powers0 = Lanes(powers[16], powers[15], powers[14], powers[13]);
        _powers1 = Lanes(powers[12], powers[11], powers[10], powers[9]);
        _powers2 = Lanes(powers[8], powers[7], powers[6], powers[5]);
        _powers3 = Lanes(powers[4], powers[3], powers[2], powers[1]);
        powers.Clear();
        _y = Vector128<ulong>.Zero;
    }

    /// <summary>True where the 512-bit carry-less multiply and byte shuffle exist (x86-64 with AVX-512 and VPCLMULQDQ).</summary>
    public static bool IsSupported =>
        Pclmulqdq.V512.IsSupported && Pclmulqdq.IsSupported && Avx512BW.IsSupported && Ssse3.IsSupported;

    private static Vector128<byte> ReverseBytes => Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

    /// <summary>Absorbs <paramref name="data"/>, its last partial block padded with zeros (GCM pads AAD and ciphertext so).</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var reverse = Vector512.Create(ReverseBytes);
        var offset = 0;
        for (; offset + StepBytes <= data.Length; offset += StepBytes)
        {
            var x0 = Avx512BW.Shuffle(Vector512.LoadUnsafe(ref start, (nuint)offset), reverse).AsUInt64()
                ^ Vector512.Create(Vector256.Create(_y, Vector128<ulong>.Zero), Vector256<ulong>.Zero);
            var x1 = Avx512BW.Shuffle(Vector512.LoadUnsafe(ref start, (nuint)offset + 64), reverse).AsUInt64();
            var x2 = Avx512BW.Shuffle(Vector512.LoadUnsafe(ref start, (nuint)offset + 128), reverse).AsUInt64();
            var x3 = Avx512BW.Shuffle(Vector512.LoadUnsafe(ref start, (nuint)offset + 192), reverse).AsUInt64();
            var low = Pclmulqdq.V512.CarrylessMultiply(x0, _powers0, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x1, _powers1, 0x00)
                ^ Pclmulqdq.V512.CarrylessMultiply(x2, _powers2, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x3, _powers3, 0x00);
            var high = Pclmulqdq.V512.CarrylessMultiply(x0, _powers0, 0x11) ^ Pclmulqdq.V512.CarrylessMultiply(x1, _powers1, 0x11)
                ^ Pclmulqdq.V512.CarrylessMultiply(x2, _powers2, 0x11) ^ Pclmulqdq.V512.CarrylessMultiply(x3, _powers3, 0x11);
            var middle = Pclmulqdq.V512.CarrylessMultiply(x0, _powers0, 0x01) ^ Pclmulqdq.V512.CarrylessMultiply(x0, _powers0, 0x10)
                ^ Pclmulqdq.V512.CarrylessMultiply(x1, _powers1, 0x01) ^ Pclmulqdq.V512.CarrylessMultiply(x1, _powers1, 0x10)
                ^ Pclmulqdq.V512.CarrylessMultiply(x2, _powers2, 0x01) ^ Pclmulqdq.V512.CarrylessMultiply(x2, _powers2, 0x10)
                ^ Pclmulqdq.V512.CarrylessMultiply(x3, _powers3, 0x01) ^ Pclmulqdq.V512.CarrylessMultiply(x3, _powers3, 0x10);
            _y = Reduce(FoldLanes(low), FoldLanes(middle), FoldLanes(high));
        }

        for (; offset + BlockSize <= data.Length; offset += BlockSize)
        {
            _y = Multiply(_y ^ Load(data.Slice(offset, BlockSize)), _h);
        }

        if (offset < data.Length)
        {
            Span<byte> padded = stackalloc byte[BlockSize];
            padded.Clear();
            data[offset..].CopyTo(padded);
            _y = Multiply(_y ^ Load(padded), _h);
        }
    }

    /// <summary>Absorbs GCM's closing block, the bit lengths of the associated data and of the ciphertext.</summary>
    public void UpdateLengths(long associatedDataBytes, long ciphertextBytes)
    {
        // The block is len(A) || len(C) as big-endian 64-bit numbers; byte-reversed, that is (len(C), len(A)) in lanes 0, 1.
        var lengths = Vector128.Create((ulong)ciphertextBytes * 8, (ulong)associatedDataBytes * 8);
        _y = Multiply(_y ^ lengths, _h);
    }

    /// <summary>Writes the GHASH value so far (16 bytes) into <paramref name="destination"/>.</summary>
    public readonly void Finish(Span<byte> destination)
    {
        if (destination.Length < BlockSize)
        {
            throw new ArgumentException($"GHASH writes {BlockSize} bytes, the destination has {destination.Length}", nameof(destination));
        }

        Ssse3.Shuffle(_y.AsByte(), ReverseBytes).CopyTo(destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ReadOnlySpan<byte> block) => Ssse3.Shuffle(Vector128.Create(block), ReverseBytes).AsUInt64();

    private static Vector512<ulong> Lanes(Vector128<ulong> lane0, Vector128<ulong> lane1, Vector128<ulong> lane2, Vector128<ulong> lane3) =>
        Vector512.Create(Vector256.Create(lane0, lane1), Vector256.Create(lane2, lane3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FoldLanes(Vector512<ulong> v)
    {
        var half = v.GetLower() ^ v.GetUpper();
        return half.GetLower() ^ half.GetUpper();
    }

    private static Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        var low = Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        var high = Pclmulqdq.CarrylessMultiply(a, b, 0x11);
        var middle = Pclmulqdq.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x10);
        return Reduce(low, middle, high);
    }

    // Reduces the 256-bit carry-less product high·2^128 + middle·2^64 + low of two reflected elements modulo
    // P = x^128 + x^7 + x^2 + x + 1 (Gueron and Kounavis' shift-and-xor reduction, run once per step, so scalar).
    private static Vector128<ulong> Reduce(Vector128<ulong> low, Vector128<ulong> middle, Vector128<ulong> high)
    {
        var q0 = low.GetElement(0);
        var q1 = low.GetElement(1) ^ middle.GetElement(0);
        var q2 = high.GetElement(0) ^ middle.GetElement(1);
        var q3 = high.GetElement(1);

        // Multiplying reflected operands yields the reflected product one bit short: shift it back.
        var r3 = (q3 << 1) | (q2 >> 63);
        var r2 = (q2 << 1) | (q1 >> 63);
        var r1 = (q1 << 1) | (q0 >> 63);
        var r0 = q0 << 1;

        // r1:r0 holds the degrees 128..255; x^128 = x^7 + x^2 + x + 1 folds them onto r3:r2. The bits that the
        // shifts below push out of r0 are folded in first, through d.
        var d = r1 ^ (r0 << 63) ^ (r0 << 62) ^ (r0 << 57);
        var h1 = d ^ (d >> 1) ^ (d >> 2) ^ (d >> 7);
        var h0 = r0 ^ ((r0 >> 1) | (d << 63)) ^ ((r0 >> 2) | (d << 62)) ^ ((r0 >> 7) | (d << 57));
        return Vector128.Create(r2 ^ h0, r3 ^ h1);
    }
}

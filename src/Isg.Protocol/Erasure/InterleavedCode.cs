using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static Isg.Protocol.Erasure.GaloisLanes;

namespace Isg.Protocol.Erasure;

/// <summary>
/// <see cref="Codewords"/> interleaved Reed-Solomon codewords (<see cref="ReedSolomonErrorCorrector"/>) laid out as a
/// matrix of Codewords columns and <see cref="CodewordLength"/> rows: codeword j is column j, bytes
/// encoded[row * Codewords + j]. The first <see cref="DataBytes"/> bytes are the data in natural order and the parity
/// rows follow, so a CRC over encoded[..DataBytes] needs no copy, and a burst of adjacent damaged bytes is spread over
/// many codewords. Immutable and thread-safe: calls keep their scratch on the stack or in ArrayPool rentals.
/// </summary>
public sealed unsafe class InterleavedCode
{
    // Scratch of parity × strip width bytes (LFSR registers, or the evaluations at the roots): 16 KiB stays in L1.
    private const int ScratchBytes = 16 * 1024;
    private const int MaxStripWidth = 1024;

    private readonly ReedSolomonErrorCorrector _code;
    private readonly GaloisKernel _kernel;
    private readonly int _stripWidth;

    private InterleavedCode(int codewords, int codewordLength, ReedSolomonErrorCorrector code, GaloisKernel kernel)
    {
        Codewords = codewords;
        CodewordLength = codewordLength;
        _code = code;
        _kernel = Narrow(kernel, codewords);
        var laneWidth = LaneWidth(_kernel);
        _stripWidth = Math.Max(laneWidth, Math.Min(MaxStripWidth, ScratchBytes / ParityBytes / laneWidth * laneWidth));
    }

    /// <summary>The number of codewords (columns).</summary>
    public int Codewords { get; }

    /// <summary>Bytes per codeword (rows), at most 255.</summary>
    public int CodewordLength { get; }

    /// <summary>Parity bytes per codeword.</summary>
    public int ParityBytes => _code.ParityBytes;

    /// <summary>Data bytes in all: Codewords × (CodewordLength − ParityBytes), the prefix of the encoded buffer.</summary>
    public int DataBytes => Codewords * (CodewordLength - ParityBytes);

    /// <summary>Encoded bytes in all: Codewords × CodewordLength.</summary>
    public int EncodedBytes => Codewords * CodewordLength;

    /// <summary>The vector loop in use (after narrowing to the column count).</summary>
    internal GaloisKernel Kernel => _kernel;

    /// <summary>
    /// The largest layout that fits <paramref name="capacityBytes"/>: Codewords = ⌈capacity / 255⌉ and CodewordLength
    /// = ⌊capacity / Codewords⌋. Throws <see cref="ArgumentOutOfRangeException"/> when the capacity is not positive,
    /// the parity is outside 1..128, or a codeword would hold no data byte (CodewordLength ≤ parity).
    /// </summary>
    public static InterleavedCode ForCapacity(int capacityBytes, int parityBytes) =>
        ForCapacity(capacityBytes, parityBytes, GaloisKernels.Best());

    /// <summary><see cref="ForCapacity(int, int)"/> forced onto <paramref name="kernel"/>, which must be supported (tests, benchmarks).</summary>
    internal static InterleavedCode ForCapacity(int capacityBytes, int parityBytes, GaloisKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        var code = ReedSolomonErrorCorrector.Shared(parityBytes);
        if (!GaloisKernels.IsSupported(kernel))
        {
            throw new PlatformNotSupportedException($"The {kernel} kernel is not supported on this CPU.");
        }

        var codewords = (int)(((long)capacityBytes + ReedSolomonErrorCorrector.MaxCodewordLength - 1) / ReedSolomonErrorCorrector.MaxCodewordLength);
        var codewordLength = capacityBytes / codewords;
        if (codewordLength <= parityBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(parityBytes), parityBytes, $"A capacity of {capacityBytes} bytes gives {codewordLength}-byte codewords, too short for {parityBytes} parity bytes and data.");
        }

        return new InterleavedCode(codewords, codewordLength, code, kernel);
    }

    /// <summary>
    /// Fills the parity rows of <paramref name="encoded"/> (at least <see cref="EncodedBytes"/> long) from the data the
    /// caller wrote to encoded[..DataBytes]. Bytes past EncodedBytes are not touched.
    /// </summary>
    public void EncodeInPlace(Span<byte> encoded)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(encoded.Length, EncodedBytes, nameof(encoded));
        var parity = ParityBytes;
        var dataRows = CodewordLength - parity;
        var rented = ArrayPool<byte>.Shared.Rent(parity * _stripWidth);
        try
        {
            var roots = _code.RootTables;
            var matrix = _kernel == GaloisKernel.Scalar ? roots : _code.ParityTables;
            fixed (byte* buffer = encoded)
            fixed (byte* scratch = rented)
            fixed (byte* rootNibbles = roots.Nibbles)
            fixed (ulong* rootAffine = roots.Affine)
            fixed (byte* matrixNibbles = matrix.Nibbles)
            fixed (ulong* matrixAffine = matrix.Affine)
            fixed (byte* products = _code.GeneratorProducts)
            {
                var rootCoefficients = new Coefficients(rootNibbles, rootAffine);
                var matrixCoefficients = new Coefficients(matrixNibbles, matrixAffine);
                for (var next = 0; next < Codewords;)
                {
                    var (start, width) = NextStrip(next);
                    EncodeStrip(buffer + start, dataRows, width, scratch, rootCoefficients, matrixCoefficients, products);
                    next = start + width;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Corrects encoded[..EncodedBytes] in place, codeword by codeword. A codeword beyond the code's reach is left as
    /// it was and counted in <see cref="InterleavedDecodeResult.FailedCodewords"/>; the others are still corrected.
    /// </summary>
    public InterleavedDecodeResult DecodeInPlace(Span<byte> encoded) => DecodeInPlace(encoded, default);

    /// <summary>
    /// As <see cref="DecodeInPlace(Span{byte})"/>, then a second chance for every codeword beyond the code's reach
    /// when <paramref name="reliability"/> (one value per encoded byte, higher = read with more margin) is given:
    /// generalized minimum distance decoding erases its least reliable bytes, P, P - 2, ... of them, and corrects
    /// errors and erasures together, which reaches up to twice as many bad bytes when the reader's doubts point at them.
    /// </summary>
    public InterleavedDecodeResult DecodeInPlace(Span<byte> encoded, ReadOnlySpan<byte> reliability)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(encoded.Length, EncodedBytes, nameof(encoded));
        if (!reliability.IsEmpty)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(reliability.Length, EncodedBytes, nameof(reliability));
        }

        var parity = ParityBytes;
        var solverBytes = _code.SolverScratchBytes;
        var syndromeBytes = parity * _stripWidth;
        var rented = ArrayPool<byte>.Shared.Rent(syndromeBytes + _stripWidth + (3 * parity) + solverBytes);
        try
        {
            var workspace = new DecodeWorkspace(rented, syndromeBytes, _stripWidth, parity, solverBytes);
            var tables = _code.RootTables;
            var corrected = 0;
            var failed = 0;
            fixed (byte* buffer = encoded)
            fixed (byte* syndromes = rented)
            fixed (byte* nibbles = tables.Nibbles)
            fixed (ulong* affine = tables.Affine)
            fixed (byte* products = _code.RootProducts)
            {
                var roots = new Coefficients(nibbles, affine);
                for (var next = 0; next < Codewords;)
                {
                    var (start, width) = NextStrip(next);
                    SyndromeStrip(buffer + start, width, syndromes, roots, products);

                    // Columns before `next` overlap a strip already decoded: they are corrected or counted already.
                    var (stripCorrected, stripFailed) = CorrectStrip(encoded, reliability, start, width, next - start, workspace);
                    corrected += stripCorrected;
                    failed += stripFailed;
                    next = start + width;
                }
            }

            return new InterleavedDecodeResult(corrected, failed, Codewords);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // The next strip covering column `next`: as wide as allowed, a whole number of vectors, shifted left to overlap
    // columns already done rather than run past the last column.
    private (int Start, int Width) NextStrip(int next)
    {
        var laneWidth = LaneWidth(_kernel);
        var remaining = Codewords - next;
        var width = Math.Min(_stripWidth, Math.Min((remaining + laneWidth - 1) / laneWidth * laneWidth, Codewords / laneWidth * laneWidth));
        return (Math.Min(next, Codewords - width), width);
    }

    private (int Corrected, int Failed) CorrectStrip(
        Span<byte> encoded, ReadOnlySpan<byte> reliability, int start, int width, int firstNew, DecodeWorkspace workspace)
    {
        var parity = ParityBytes;
        var length = CodewordLength;
        var all = workspace.Syndromes;
        var any = workspace.Any[..width];
        all[..width].CopyTo(any);
        for (var r = 1; r < parity; r++)
        {
            Or(any, all.Slice(r * width, width));
        }

        var corrected = 0;
        var failed = 0;
        var syndromes = workspace.Column;
        for (var x = firstNew; x < width; x++)
        {
            if (any[x] == 0)
            {
                continue;
            }

            for (var r = 0; r < parity; r++)
            {
                syndromes[r] = all[(r * width) + x];
            }

            var column = start + x;
            var count = ReedSolomonSolver.Solve(syndromes, length, 0, workspace.Locations, workspace.Magnitudes, workspace.Solver);
            if (count < 0)
            {
                var erased = reliability.IsEmpty ? -1 : CorrectWithErasures(encoded, reliability, column);
                if (erased < 0)
                {
                    failed++;
                }
                else
                {
                    corrected += erased;
                }

                continue;
            }

            for (var k = 0; k < count; k++)
            {
                var magnitude = workspace.Magnitudes[k];
                if (magnitude != 0)
                {
                    encoded[((length - 1 - workspace.Locations[k]) * Codewords) + column] ^= magnitude;
                    corrected++;
                }
            }
        }

        return (corrected, failed);
    }

    // Generalized minimum distance: gather the column, rank its bytes by reliability, and try erasing the least
    // reliable P, P - 2, ... bytes; the first erasure set the corrector accepts is written back.
    private int CorrectWithErasures(Span<byte> encoded, ReadOnlySpan<byte> reliability, int column)
    {
        var length = CodewordLength;
        var parity = ParityBytes;
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        var ranks = ArrayPool<int>.Shared.Rent(2 * length);
        try
        {
            var codeword = bytes.AsSpan(0, length);
            var keys = ranks.AsSpan(0, length);
            var order = ranks.AsSpan(length, length);
            for (var p = 0; p < length; p++)
            {
                codeword[p] = encoded[(p * Codewords) + column];
                keys[p] = (reliability[(p * Codewords) + column] << 8) | p;
                order[p] = p;
            }

            keys.Sort(order);
            for (var erasures = parity; erasures >= 2; erasures -= 2)
            {
                var changed = _code.Correct(codeword, order[..erasures]);
                if (changed < 0)
                {
                    continue;
                }

                for (var p = 0; p < length; p++)
                {
                    encoded[(p * Codewords) + column] = codeword[p];
                }

                return changed;
            }

            return -1;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ranks);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void Or(Span<byte> target, ReadOnlySpan<byte> source)
    {
        var words = target.Length / sizeof(ulong);
        var targetWords = MemoryMarshal.Cast<byte, ulong>(target[..(words * sizeof(ulong))]);
        var sourceWords = MemoryMarshal.Cast<byte, ulong>(source[..(words * sizeof(ulong))]);
        for (var i = 0; i < targetWords.Length; i++)
        {
            targetWords[i] |= sourceWords[i];
        }

        for (var i = words * sizeof(ulong); i < target.Length; i++)
        {
            target[i] |= source[i];
        }
    }

    private void EncodeStrip(byte* data, int dataRows, int width, byte* scratch, Coefficients roots, Coefficients matrix, byte* products)
    {
        var stride = Codewords;
        var parity = ParityBytes;
        switch (_kernel)
        {
            case GaloisKernel.Ssse3:
                InterleavedKernels.EncodeStrip<Ssse3Lanes, Vector128<byte>>(data, stride, dataRows, parity, width, scratch, roots, matrix);
                break;
            case GaloisKernel.Avx2:
                InterleavedKernels.EncodeStrip<Avx2Lanes, Vector256<byte>>(data, stride, dataRows, parity, width, scratch, roots, matrix);
                break;
            case GaloisKernel.Avx512:
                InterleavedKernels.EncodeStrip<Avx512Lanes, Vector512<byte>>(data, stride, dataRows, parity, width, scratch, roots, matrix);
                break;
            case GaloisKernel.Gfni128:
                InterleavedKernels.EncodeStrip<Gfni128Lanes, Vector128<byte>>(data, stride, dataRows, parity, width, scratch, roots, matrix);
                break;
            case GaloisKernel.Gfni256:
                InterleavedKernels.EncodeStrip<Gfni256Lanes, Vector256<byte>>(data, stride, dataRows, parity, width, scratch, roots, matrix);
                break;
            case GaloisKernel.Gfni512:
                InterleavedKernels.EncodeStrip<Gfni512Lanes, Vector512<byte>>(data, stride, dataRows, parity, width, scratch, roots, matrix);
                break;
            default:
                InterleavedKernels.EncodeStripScalar(data, stride, dataRows, parity, width, scratch, products);
                break;
        }
    }

    private void SyndromeStrip(byte* data, int width, byte* syndromes, Coefficients roots, byte* products)
    {
        var stride = Codewords;
        var rows = CodewordLength;
        var parity = ParityBytes;
        switch (_kernel)
        {
            case GaloisKernel.Ssse3:
                InterleavedKernels.SyndromeStrip<Ssse3Lanes, Vector128<byte>>(data, stride, rows, parity, width, syndromes, roots);
                break;
            case GaloisKernel.Avx2:
                InterleavedKernels.SyndromeStrip<Avx2Lanes, Vector256<byte>>(data, stride, rows, parity, width, syndromes, roots);
                break;
            case GaloisKernel.Avx512:
                InterleavedKernels.SyndromeStrip<Avx512Lanes, Vector512<byte>>(data, stride, rows, parity, width, syndromes, roots);
                break;
            case GaloisKernel.Gfni128:
                InterleavedKernels.SyndromeStrip<Gfni128Lanes, Vector128<byte>>(data, stride, rows, parity, width, syndromes, roots);
                break;
            case GaloisKernel.Gfni256:
                InterleavedKernels.SyndromeStrip<Gfni256Lanes, Vector256<byte>>(data, stride, rows, parity, width, syndromes, roots);
                break;
            case GaloisKernel.Gfni512:
                InterleavedKernels.SyndromeStrip<Gfni512Lanes, Vector512<byte>>(data, stride, rows, parity, width, syndromes, roots);
                break;
            default:
                InterleavedKernels.SyndromeStripScalar(data, stride, rows, parity, width, syndromes, products);
                break;
        }
    }

    private static int LaneWidth(GaloisKernel kernel) => kernel switch
    {
        GaloisKernel.Ssse3 or GaloisKernel.Gfni128 => 16,
        GaloisKernel.Avx2 or GaloisKernel.Gfni256 => 32,
        GaloisKernel.Avx512 or GaloisKernel.Gfni512 => 64,
        _ => 1,
    };

    // A frame narrower than one vector falls back to a narrower loop of the same family, then to table lookups.
    private static GaloisKernel Narrow(GaloisKernel kernel, int columns)
    {
        while (kernel != GaloisKernel.Scalar && LaneWidth(kernel) > columns)
        {
            kernel = kernel switch
            {
                GaloisKernel.Gfni512 => GaloisKernel.Gfni256,
                GaloisKernel.Gfni256 => GaloisKernel.Gfni128,
                GaloisKernel.Avx512 => GaloisKernel.Avx2,
                GaloisKernel.Avx2 => GaloisKernel.Ssse3,
                _ => GaloisKernel.Scalar,
            };
        }

        return kernel;
    }

    /// <summary>Slices of one rented buffer: strip syndromes, their OR per column, one column's syndromes, the solver's output and scratch.</summary>
    private readonly ref struct DecodeWorkspace(byte[] buffer, int syndromeBytes, int stripWidth, int parity, int solverBytes)
    {
        public Span<byte> Syndromes { get; } = buffer.AsSpan(0, syndromeBytes);

        public Span<byte> Any { get; } = buffer.AsSpan(syndromeBytes, stripWidth);

        public Span<byte> Column { get; } = buffer.AsSpan(syndromeBytes + stripWidth, parity);

        public Span<byte> Locations { get; } = buffer.AsSpan(syndromeBytes + stripWidth + parity, parity);

        public Span<byte> Magnitudes { get; } = buffer.AsSpan(syndromeBytes + stripWidth + (2 * parity), parity);

        public Span<byte> Solver { get; } = buffer.AsSpan(syndromeBytes + stripWidth + (3 * parity), solverBytes);
    }
}

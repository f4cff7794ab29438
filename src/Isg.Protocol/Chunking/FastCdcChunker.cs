using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Isg.Protocol.Chunking;

/// <summary>
/// Content-defined chunking with FastCDC (Xia et al. 2016/2020): a Gear rolling hash, the first
/// <see cref="ChunkerOptions.MinSize"/> bytes of a chunk skipped, normalised chunking level 2 (a mask with two more bits
/// than log2 of <see cref="ChunkerOptions.AverageSize"/> before the normal point, two fewer after it), and a hard cut at
/// <see cref="ChunkerOptions.MaxSize"/>. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// A chunk of length L ends at byte L-1 when MinSize &lt;= L &lt; MaxSize and the hash after byte L-1 has all mask bits
/// zero (the stricter mask while L &lt; AverageSize). Hashing starts at byte MinSize - <see cref="WindowSize"/>, so the
/// hash at every candidate covers a full window: a cut depends on exactly the 63 bytes ending there (the highest mask
/// bit is 62), never on the previous chunk. Cut points are specific to this scheme and table, not to other FastCDC
/// implementations.
/// </remarks>
public sealed class FastCdcChunker : IChunker
{
    /// <summary>Bytes hashed up to and including the first candidate cut (the Gear window); also the smallest MinSize.</summary>
    public const int WindowSize = 64;

    private readonly int _minSize;
    private readonly int _averageSize;
    private readonly int _maxSize;

    // Masks sit in bits 62 and down: bit k of the Gear hash depends on the last k+1 bytes, so high bits give the
    // widest window, and bit 63 stays clear so that the mask shifted left by one loses nothing (two bytes per step).
    private readonly ulong _maskStrict;
    private readonly ulong _maskStrictShifted;
    private readonly ulong _maskLoose;
    private readonly ulong _maskLooseShifted;
    private readonly ulong[] _gear;
    private readonly ulong[] _gearShifted;

    /// <summary>Creates a chunker; validates <paramref name="options"/> (see <see cref="ChunkerOptions.Validate"/>).</summary>
    public FastCdcChunker(ChunkerOptions options, GearTable table)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(table);
        options.Validate();
        Options = options;
        _minSize = options.MinSize;
        _averageSize = options.AverageSize;
        _maxSize = options.MaxSize;

        var bits = BitOperations.Log2((uint)options.AverageSize);
        _maskStrict = Mask(bits + 2);
        _maskStrictShifted = _maskStrict << 1;
        _maskLoose = Mask(bits - 2);
        _maskLooseShifted = _maskLoose << 1;

        _gear = table.Values.ToArray();
        _gearShifted = new ulong[GearTable.Length];
        for (var i = 0; i < _gear.Length; i++)
        {
            _gearShifted[i] = _gear[i] << 1;
        }
    }

    /// <summary>The validated size bounds.</summary>
    public ChunkerOptions Options { get; }

    /// <inheritdoc />
    public int MaxChunkSize => _maxSize;

    /// <inheritdoc />
    /// <remarks>
    /// Scans from the start of <paramref name="data"/> on every call, so a caller should supply at least
    /// <see cref="MaxChunkSize"/> bytes whenever it has them rather than growing the span in small steps.
    /// </remarks>
    public int FindCutPoint(ReadOnlySpan<byte> data, bool isFinal)
    {
        var length = data.Length;
        if (length < _minSize)
        {
            return isFinal ? length : 0;
        }

        var cut = Scan(data, Math.Min(length, _maxSize - 1));
        if (cut != 0)
        {
            return cut;
        }

        if (length >= _maxSize)
        {
            return _maxSize;
        }

        return isFinal ? length : 0;
    }

    // Returns the length of the first chunk whose last byte has an index in [MinSize - 1, end), or 0.
    // Requires MinSize <= data.Length and MinSize - 1 <= end <= data.Length.
    private int Scan(ReadOnlySpan<byte> data, int end)
    {
        ref var src = ref MemoryMarshal.GetReference(data);
        ref var gear = ref MemoryMarshal.GetArrayDataReference(_gear);
        ref var gearShifted = ref MemoryMarshal.GetArrayDataReference(_gearShifted);

        // p is the index of the next byte to hash; after hashing byte p the candidate length is p + 1.
        var p = (nint)(_minSize - WindowSize);
        var firstCandidate = (nint)(_minSize - 1);
        ulong fp = 0;
        for (; p < firstCandidate; p++)
        {
            fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref src, p));
        }

        var normal = (nint)Math.Min(_averageSize - 1, end);
        var maskStrict = _maskStrict;
        var maskStrictShifted = _maskStrictShifted;
        for (; p + 1 < normal; p += 2)
        {
            // After the first line fp is the one-byte hash shifted left once, hence the shifted mask.
            fp = (fp << 2) + Unsafe.Add(ref gearShifted, Unsafe.Add(ref src, p));
            if ((fp & maskStrictShifted) == 0)
            {
                return (int)p + 1;
            }

            fp += Unsafe.Add(ref gear, Unsafe.Add(ref src, p + 1));
            if ((fp & maskStrict) == 0)
            {
                return (int)p + 2;
            }
        }

        if (p < normal)
        {
            fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref src, p));
            if ((fp & maskStrict) == 0)
            {
                return (int)p + 1;
            }

            p++;
        }

        var limit = (nint)end;
        var maskLoose = _maskLoose;
        var maskLooseShifted = _maskLooseShifted;
        for (; p + 1 < limit; p += 2)
        {
            fp = (fp << 2) + Unsafe.Add(ref gearShifted, Unsafe.Add(ref src, p));
            if ((fp & maskLooseShifted) == 0)
            {
                return (int)p + 1;
            }

            fp += Unsafe.Add(ref gear, Unsafe.Add(ref src, p + 1));
            if ((fp & maskLoose) == 0)
            {
                return (int)p + 2;
            }
        }

        if (p < limit)
        {
            fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref src, p));
            if ((fp & maskLoose) == 0)
            {
                return (int)p + 1;
            }
        }

        return 0;
    }

    private static ulong Mask(int ones) => ((1UL << ones) - 1) << (63 - ones);
}

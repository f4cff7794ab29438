using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Frames;

/// <summary>
/// Reads payload bits back from gray8 frames written by <see cref="GrayFrameEncoder"/> after a lossy channel.
/// Each cell is read as the mean of its inner pixels (a one-pixel margin is dropped when the cell edge is 3 or
/// more, since codecs smear cell edges). Decision thresholds adapt to the frame: evenly spaced levels are fitted
/// to the histogram of cell means and the boundaries sit midway between them, so squeezed contrast and
/// brightness offsets decode. A frame whose cell means span less than <see cref="MinContrast"/> (one level
/// only) is read with the nominal thresholds. Stateless and thread-safe; scratch comes from
/// <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
public static class GrayFrameDecoder
{
    /// <summary>Below this spread between darkest and brightest cell mean the nominal levels 0..255 are assumed.</summary>
    public const int MinContrast = 64;

    /// <summary>Smallest level step an estimate may imply; closer levels would drown in codec noise.</summary>
    private const double MinStep = 32;

    /// <summary>Divides the squared distance of the implied black and white from 0 and 255 in the level-fit score.</summary>
    private const double PriorWeight = 16;

    /// <summary>2-bit symbol indexed by Gray4 level index (0 = darkest): the inverse of the encoder's Gray code.</summary>
    private static ReadOnlySpan<byte> Gray4Symbols => [0, 1, 3, 2];

    /// <summary>
    /// Decodes <paramref name="frame"/> into the first <see cref="FrameGeometry.PayloadBytesPerFrame"/> bytes of
    /// <paramref name="payload"/> and returns that count. A frame of the wrong length throws
    /// <see cref="ProtocolException"/> (kind <see cref="ProtocolErrorKind.BadField"/>); a too-short
    /// <paramref name="payload"/> is a caller bug and throws <see cref="ArgumentException"/>.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> payload) =>
        TryDecode(frame, geometry, payload, out var written, out var error) ? written : throw new ProtocolException(error);

    /// <summary>
    /// Non-throwing <see cref="Decode"/>: false with a <see cref="ProtocolErrorKind.BadField"/> error when the frame
    /// length does not match the geometry. Every frame of the right length decodes (bit errors are the job of the
    /// frame's error-correcting code).
    /// </summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> payload, out int written, out ProtocolError error)
    {
        var payloadBytes = geometry.PayloadBytesPerFrame;
        if (payload.Length < payloadBytes)
        {
            throw new ArgumentException($"Payload buffer is {payload.Length} bytes; the frame carries {payloadBytes}.", nameof(payload));
        }

        if (frame.Length != geometry.FrameBytes)
        {
            written = 0;
            error = ProtocolError.Of(
                ProtocolErrorKind.BadField,
                $"frame is {frame.Length} bytes; a {geometry.Width}x{geometry.Height} gray8 frame is {geometry.FrameBytes}");
            return false;
        }

        var cellCount = geometry.CellCount;
        var means = ArrayPool<byte>.Shared.Rent(cellCount);
        var columnSums = ArrayPool<ushort>.Shared.Rent(geometry.Width);
        var histogram = ArrayPool<int>.Shared.Rent(256);
        try
        {
            Array.Clear(histogram, 0, 256);
            MeasureCells(frame, geometry, means, columnSums, histogram);
            Span<byte> symbolOf = stackalloc byte[256];
            BuildDecisionTable(histogram.AsSpan(0, 256), geometry.Mode, symbolOf);
            PackSymbols(means.AsSpan(0, cellCount), symbolOf, geometry.BitsPerCell, payload[..payloadBytes]);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(histogram);
            ArrayPool<ushort>.Shared.Return(columnSums);
            ArrayPool<byte>.Shared.Return(means);
        }

        written = payloadBytes;
        error = default;
        return true;
    }

    /// <summary>Writes each cell's rounded inner mean to <paramref name="means"/> and counts them in <paramref name="histogram"/>.</summary>
    private static void MeasureCells(ReadOnlySpan<byte> frame, FrameGeometry geometry, byte[] means, ushort[] columnSums, int[] histogram)
    {
        var width = geometry.Width;
        var size = geometry.CellSize;
        var across = geometry.CellsAcross;
        var margin = size >= 3 ? 1 : 0;
        var inner = size - (2 * margin);
        var area = inner * inner;
        var used = across * size;
        var sums = columnSums.AsSpan(0, used);
        var cell = 0;

        for (var cy = 0; cy < geometry.CellsDown; cy++)
        {
            sums.Clear();
            var top = (cy * size) + margin;
            for (var row = 0; row < inner; row++)
            {
                // At most 8 inner rows of 255 are summed, so ushort columns cannot overflow.
                AddRow(frame.Slice(((top + row) * width), used), sums);
            }

            for (var cx = 0; cx < across; cx++, cell++)
            {
                var columns = sums.Slice((cx * size) + margin, inner);
                var total = 0;
                foreach (var sum in columns)
                {
                    total += sum;
                }

                var mean = (byte)((total + (area / 2)) / area);
                means[cell] = mean;
                histogram[mean]++;
            }
        }
    }

    /// <summary>Adds each byte of <paramref name="row"/> to the matching column sum, widening a vector at a time.</summary>
    internal static void AddRow(ReadOnlySpan<byte> row, Span<ushort> sums)
    {
        var x = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<byte>.Count)
        {
            var wideSums = MemoryMarshal.Cast<ushort, Vector<ushort>>(sums);
            var lanes = Vector<ushort>.Count;
            for (; x <= row.Length - Vector<byte>.Count; x += Vector<byte>.Count)
            {
                // x is a multiple of two ushort vectors and x + Vector<byte>.Count <= row.Length = sums.Length,
                // so both slots are whole vectors inside sums.
                Vector.Widen(new Vector<byte>(row[x..]), out var low, out var high);
                var slot = x / lanes;
                wideSums[slot] += low;
                wideSums[slot + 1] += high;
            }
        }

        for (; x < row.Length; x++)
        {
            sums[x] += row[x];
        }
    }

    /// <summary>Maps every possible cell mean to its symbol, with boundaries midway between the estimated levels.</summary>
    private static void BuildDecisionTable(ReadOnlySpan<int> histogram, FrameMode mode, Span<byte> symbolOf)
    {
        var steps = mode == FrameMode.BlackWhite ? 1 : 3;
        var (black, step) = EstimateLevels(histogram, steps);
        for (var value = 0; value < 256; value++)
        {
            var index = (int)Math.Clamp(Math.Round((value - black) / step), 0, steps);
            symbolOf[value] = mode == FrameMode.BlackWhite ? (byte)index : Gray4Symbols[index];
        }
    }

    /// <summary>
    /// Estimates the darkest level and the level step. The darkest and brightest cell means are levels, but a
    /// short payload may not use every level, so each assignment of them to level indices is scored by how
    /// well the evenly spaced levels it implies fit the distinct cell means, plus a prior that favours levels near the
    /// nominal 0..255; the best assignment wins.
    /// </summary>
    private static (double Black, double Step) EstimateLevels(ReadOnlySpan<int> histogram, int steps)
    {
        var darkest = histogram.IndexOfAnyExcept(0);
        var brightest = histogram.LastIndexOfAnyExcept(0);
        var nominal = (Black: 0.0, Step: 255.0 / steps);
        if (darkest < 0 || brightest - darkest < MinContrast)
        {
            return nominal;
        }

        var best = nominal;
        var bestScore = double.MaxValue;
        for (var low = 0; low < steps; low++)
        {
            for (var high = low + 1; high <= steps; high++)
            {
                var step = (double)(brightest - darkest) / (high - low);
                if (step < MinStep)
                {
                    continue;
                }

                var black = darkest - (low * step);
                var white = black + (steps * step);
                var score = MeanSquaredError(histogram, black, step, steps) + (((black * black) + ((white - 255) * (white - 255))) / PriorWeight);
                if (score < bestScore)
                {
                    bestScore = score;
                    best = (black, step);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Mean squared distance from each distinct cell mean to the nearest of the levels black + i × step, i in
    /// 0..steps. Distinct values, not cells, are averaged: a short payload leaves a frame mostly black, and
    /// weighting by cells would let that mass hide a poor fit of the few data cells.
    /// </summary>
    private static double MeanSquaredError(ReadOnlySpan<int> histogram, double black, double step, int steps)
    {
        double total = 0;
        var values = 0;
        for (var value = 0; value < histogram.Length; value++)
        {
            var count = histogram[value];
            if (count == 0)
            {
                continue;
            }

            var index = Math.Clamp(Math.Round((value - black) / step), 0, steps);
            var distance = value - (black + (index * step));
            total += distance * distance;
            values++;
        }

        return total / values;
    }

    /// <summary>Packs one symbol per cell, MSB first, into <paramref name="payload"/>; bits past its end are dropped.</summary>
    private static void PackSymbols(ReadOnlySpan<byte> means, ReadOnlySpan<byte> symbolOf, int bits, Span<byte> payload)
    {
        var perByte = 8 / bits;
        for (var i = 0; i < payload.Length; i++)
        {
            var cells = means.Slice(i * perByte, perByte);
            var value = 0;
            foreach (var mean in cells)
            {
                value = (value << bits) | symbolOf[mean];
            }

            payload[i] = (byte)value;
        }
    }
}

using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Frames;

/// <summary>
/// Reads payload bits back from gray8 frames written by <see cref="GrayFrameEncoder"/> after a lossy channel.
/// Each cell is read as the mean of its inner pixels (a one-pixel margin is dropped when the cell edge is 3 or
/// more, since codecs smear cell edges; 4-pixel cells are read whole, see MeasureCells), and the share of its
/// neighbours a codec smeared into it is measured on the frame and taken out. Decision thresholds adapt to the frame:
/// evenly spaced levels are fitted to the histogram of cell means and the boundaries sit midway between them, so
/// squeezed contrast and brightness offsets decode. A frame whose cell means span less than <see cref="MinContrast"/>
/// (one level only) is read with the nominal thresholds. Each byte can come with its reliability (the smallest
/// margin of its cells from a boundary) for erasure decoding. Stateless and thread-safe; scratch comes from
/// <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
public static class GrayFrameDecoder
{
    /// <summary>Below this spread between darkest and brightest cell mean the nominal levels 0..255 are assumed.</summary>
    public const int MinContrast = 64;

    /// <summary>Smallest level step an estimate may imply; closer levels would drown in codec noise.</summary>
    private const double MinStep = 32;

    /// <summary>Largest neighbour leak the decoder takes out (beyond it the estimate is noise, not smear).</summary>
    private const double MaxLeak = 0.5;

    /// <summary>Rounds of estimating the leak and taking it out.</summary>
    private const int LeakRounds = 3;

    /// <summary>Below this estimated leak a frame is read as measured.</summary>
    private const double MinLeak = 0.02;

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
        ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> payload, out int written, out ProtocolError error) =>
        TryDecode(frame, geometry, payload, default, out written, out error);

    /// <summary>
    /// <see cref="TryDecode(ReadOnlySpan{byte}, FrameGeometry, Span{byte}, out int, out ProtocolError)"/> that also
    /// writes, per payload byte, how sure the read is: the smallest distance of any of its cells from a decision
    /// boundary (0 = on the boundary). An empty <paramref name="reliability"/> skips it.
    /// </summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> payload, Span<byte> reliability, out int written, out ProtocolError error)
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
            Span<byte> marginOf = stackalloc byte[256];
            Span<byte> levelOf = stackalloc byte[256];
            BuildDecisionTable(histogram.AsSpan(0, 256), geometry.Mode, symbolOf, marginOf, levelOf);
            CancelNeighbourLeak(means.AsSpan(0, cellCount), geometry, levelOf);
            PackSymbols(means.AsSpan(0, cellCount), symbolOf, geometry.BitsPerCell, payload[..payloadBytes]);
            if (!reliability.IsEmpty)
            {
                PackMargins(means.AsSpan(0, cellCount), marginOf, geometry.BitsPerCell, reliability[..payloadBytes]);
            }
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
        // Cells of 3 pixels or more are read by their inner part (codecs smear the edges), except 4-pixel cells, which
        // are read whole: measured through x264 at 10 Mbit/s, whole 4x4 cells with the neighbour leak taken out
        // (CancelNeighbourLeak) read fewer bits wrong than their inner 2x2, and half the frames failed the inner
        // code with the inner read. A 3-pixel cell's edge is 8 of its 9 pixels: a blur there is beyond undoing.
        var margin = size >= 3 && size != 4 ? 1 : 0;
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

    /// <summary>
    /// Maps every possible cell mean to its symbol, with boundaries midway between the estimated levels, and to its
    /// margin: the distance to the nearest boundary.
    /// </summary>
    private static void BuildDecisionTable(
        ReadOnlySpan<int> histogram, FrameMode mode, Span<byte> symbolOf, Span<byte> marginOf, Span<byte> levelOf)
    {
        var steps = mode == FrameMode.BlackWhite ? 1 : 3;
        var (black, step) = EstimateLevels(histogram, steps);
        for (var value = 0; value < 256; value++)
        {
            var index = (int)Math.Clamp(Math.Round((value - black) / step), 0, steps);
            symbolOf[value] = mode == FrameMode.BlackWhite ? (byte)index : Gray4Symbols[index];
            var fromLevel = value - (black + (index * step));
            // Past the darkest or brightest level there is no boundary on that side: only the inner one counts.
            var toBoundary = (index == 0 && fromLevel < 0) || (index == steps && fromLevel > 0)
                ? (step / 2) + Math.Abs(fromLevel)
                : (step / 2) - Math.Abs(fromLevel);
            marginOf[value] = (byte)Math.Clamp(Math.Round(toBoundary), 0, 255);
            levelOf[value] = (byte)Math.Clamp(Math.Round(black + (index * step)), 0, 255);
        }
    }

    /// <summary>
    /// Takes out of each cell the share of its four neighbours that a lossy codec smeared into it: a cell is read as
    /// <c>(1 − leak) × its level + leak × its neighbours' mean level</c>, with each neighbour taken at the level it was
    /// decided as. The leak is measured on the frame itself (least squares of each cell's distance from its level
    /// against its neighbours' distance from it): 0 on a clean frame, about 0.3 for 4x4 cells through x264 at
    /// 10 Mbit/s, where taking it out cut the bits read wrong by a third.
    /// </summary>
    private static void CancelNeighbourLeak(Span<byte> means, FrameGeometry geometry, ReadOnlySpan<byte> levelOf)
    {
        var observed = ArrayPool<byte>.Shared.Rent(means.Length);
        var neighbours = ArrayPool<float>.Shared.Rent(means.Length);
        try
        {
            means.CopyTo(observed);
            // Decisions made on smeared means bias the estimate low, so estimate and correct a few times, each
            // round deciding on the previous round's corrected means.
            for (var round = 0; round < LeakRounds; round++)
            {
                var leak = EstimateLeak(observed.AsSpan(0, means.Length), means, geometry, levelOf, neighbours);
                if (leak < MinLeak)
                {
                    return;
                }

                for (var cell = 0; cell < means.Length; cell++)
                {
                    means[cell] = (byte)Math.Clamp(Math.Round((observed[cell] - (leak * neighbours[cell])) / (1 - leak)), 0, 255);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(neighbours);
            ArrayPool<byte>.Shared.Return(observed);
        }
    }

    /// <summary>
    /// The least-squares leak of <paramref name="observed"/> means given levels decided on <paramref name="decided"/>;
    /// writes each cell's neighbours' mean level into <paramref name="neighbours"/>.
    /// </summary>
    private static double EstimateLeak(
        ReadOnlySpan<byte> observed, ReadOnlySpan<byte> decided, FrameGeometry geometry, ReadOnlySpan<byte> levelOf, Span<float> neighbours)
    {
        var across = geometry.CellsAcross;
        var down = geometry.CellsDown;
        double product = 0;
        double square = 0;
        for (var cy = 0; cy < down; cy++)
        {
            for (var cx = 0; cx < across; cx++)
            {
                var cell = (cy * across) + cx;
                var sum = 0;
                var count = 0;
                if (cx > 0)
                {
                    sum += levelOf[decided[cell - 1]];
                    count++;
                }

                if (cx < across - 1)
                {
                    sum += levelOf[decided[cell + 1]];
                    count++;
                }

                if (cy > 0)
                {
                    sum += levelOf[decided[cell - across]];
                    count++;
                }

                if (cy < down - 1)
                {
                    sum += levelOf[decided[cell + across]];
                    count++;
                }

                var level = levelOf[decided[cell]];
                var around = count == 0 ? level : (float)(sum / (double)count);
                neighbours[cell] = around;
                var deviation = around - level;
                product += (observed[cell] - level) * (double)deviation;
                square += deviation * (double)deviation;
            }
        }

        return square > 0 ? Math.Clamp(product / square, 0, MaxLeak) : 0;
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

    /// <summary>Writes, per payload byte, the smallest margin of the cells it came from.</summary>
    private static void PackMargins(ReadOnlySpan<byte> means, ReadOnlySpan<byte> marginOf, int bits, Span<byte> reliability)
    {
        var perByte = 8 / bits;
        for (var i = 0; i < reliability.Length; i++)
        {
            byte least = 255;
            foreach (var mean in means.Slice(i * perByte, perByte))
            {
                least = Math.Min(least, marginOf[mean]);
            }

            reliability[i] = least;
        }
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

using System.Buffers;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Frames;

/// <summary>
/// Colour cells in rgb24 frames: each square cell of <see cref="CellSize"/> pixels carries <see cref="BitsPerCell"/>
/// payload bits, <see cref="BitsPerChannel"/> each for red, green and blue (in that order, MSB first, cells
/// row-major from the top-left). A channel's symbol picks one of 2^bits evenly spaced levels from 0 to 255; below 8
/// bits the levels are Gray-coded, so a one-level slip costs one bit. Cells past the payload are black; pixels
/// outside whole cells are mid-grey. Decoding averages each cell's inner pixels per channel (a one-pixel margin is
/// dropped when the cell edge is 3 or more) and picks the nearest level. Up to
/// <see cref="MaxAdaptiveBitsPerChannel"/> bits the levels are fitted to each channel's cell means per frame, as
/// <see cref="GrayFrameDecoder"/> does for grey, so brightness and contrast shifts decode as long as the frame shows
/// a channel's darkest and brightest level (the container's reference cells guarantee that); finer levels only suit
/// lossless channels and use the nominal values. Eight bits per channel with 1-pixel cells is the lossless profile:
/// frame and payload are the same bytes and both directions are a copy. Immutable and thread-safe; decoding rents
/// its scratch from <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
public sealed class RgbFrameCodec : IFrameCodec
{
    /// <summary>Fewest bits per channel.</summary>
    public const int MinBitsPerChannel = 1;

    /// <summary>Most bits per channel: every byte value is a level.</summary>
    public const int MaxBitsPerChannel = 8;

    /// <summary>Up to this many bits per channel the decoder fits the levels to the frame; above it they are nominal.</summary>
    public const int MaxAdaptiveBitsPerChannel = 4;

    /// <summary>Below this spread between a channel's darkest and brightest cell mean its nominal levels are assumed.</summary>
    public const int MinContrast = 64;

    private const int Channels = 3;

    /// <summary>Smallest level step a fit may imply, as a share of the nominal step; closer levels would drown in noise.</summary>
    private const double MinStepShare = 0.375;

    /// <summary>
    /// Weight of the prior (squared distance of the implied black and white from 0 and 255, over 255²) against the
    /// misfit (mean squared distance of the cell means from the levels, over the nominal step²) in the level-fit
    /// score. Small enough that a frame squeezed into 0..170 still fits at four levels, where a stronger prior
    /// prefers three nominal-looking levels.
    /// </summary>
    private const double PriorWeight = 0.25;

    private readonly byte[] _levelOfSymbol;
    private readonly byte[] _symbolOfIndex;
    private readonly byte[] _nominalSymbolOf;

    /// <summary>
    /// Creates a codec for <paramref name="width"/> × <paramref name="height"/> rgb24 frames of
    /// <paramref name="cellSize"/>-pixel cells (1..10) at <paramref name="bitsPerChannel"/> bits per channel (1..8).
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the bad argument.
    /// </summary>
    public RgbFrameCodec(int width, int height, int cellSize, int bitsPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, FrameGeometry.MinCellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cellSize, FrameGeometry.MaxCellSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerChannel, MinBitsPerChannel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitsPerChannel, MaxBitsPerChannel);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, FrameGeometry.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, FrameGeometry.MaxDimension);

        Width = width;
        Height = height;
        CellSize = cellSize;
        BitsPerChannel = bitsPerChannel;

        var levels = Levels;
        _symbolOfIndex = new byte[levels];
        _levelOfSymbol = new byte[levels];
        for (var index = 0; index < levels; index++)
        {
            // At 8 bits every value is its own level: no Gray code, so the lossless profile stays a plain copy.
            var symbol = bitsPerChannel == MaxBitsPerChannel ? index : index ^ (index >> 1);
            _symbolOfIndex[index] = (byte)symbol;
            _levelOfSymbol[symbol] = Level(index);
        }

        _nominalSymbolOf = new byte[256];
        for (var value = 0; value < 256; value++)
        {
            var nearest = 0;
            for (var index = 1; index < levels; index++)
            {
                if (Math.Abs(value - Level(index)) < Math.Abs(value - Level(nearest)))
                {
                    nearest = index;
                }
            }

            _nominalSymbolOf[value] = _symbolOfIndex[nearest];
        }
    }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <summary>Cell edge in pixels (1..10).</summary>
    public int CellSize { get; }

    /// <summary>Payload bits per colour channel of a cell (1..8).</summary>
    public int BitsPerChannel { get; }

    /// <summary>Levels per channel: 2^<see cref="BitsPerChannel"/>.</summary>
    public int Levels => 1 << BitsPerChannel;

    /// <summary>Payload bits per cell: three channels of <see cref="BitsPerChannel"/>.</summary>
    public int BitsPerCell => Channels * BitsPerChannel;

    /// <summary>Whole cells per row.</summary>
    public int CellsAcross => Width / CellSize;

    /// <summary>Whole cells per column.</summary>
    public int CellsDown => Height / CellSize;

    /// <summary>Data cells in a frame.</summary>
    public int CellCount => CellsAcross * CellsDown;

    /// <summary>True when the decoder fits each channel's levels to the frame (at most <see cref="MaxAdaptiveBitsPerChannel"/> bits).</summary>
    public bool AdaptsLevels => BitsPerChannel <= MaxAdaptiveBitsPerChannel;

    /// <inheritdoc/>
    public PixelFormat PixelFormat => PixelFormat.Rgb24;

    /// <inheritdoc/>
    public int FrameBytes => Width * Height * Channels;

    /// <inheritdoc/>
    public int PayloadBytesPerFrame => (int)((long)CellCount * BitsPerCell / 8);

    /// <summary>The nominal channel value of level <paramref name="index"/> (0 = 0, last = 255, evenly spaced, rounded).</summary>
    public byte Level(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Levels);
        return (byte)Math.Round(index * 255.0 / (Levels - 1));
    }

    /// <inheritdoc/>
    public void Encode(ReadOnlySpan<byte> payload, Span<byte> frame)
    {
        if (frame.Length != FrameBytes)
        {
            throw new ArgumentException($"Frame is {frame.Length} bytes; a {Width}x{Height} rgb24 frame is {FrameBytes}.", nameof(frame));
        }

        if (payload.Length > PayloadBytesPerFrame)
        {
            throw new ArgumentException($"Payload is {payload.Length} bytes; a frame carries at most {PayloadBytesPerFrame}.", nameof(payload));
        }

        if (CellSize == 1 && BitsPerChannel == MaxBitsPerChannel)
        {
            payload.CopyTo(frame);
            frame[payload.Length..].Clear();
            return;
        }

        var size = CellSize;
        var across = CellsAcross;
        var rowBytes = Width * Channels;
        var bits = BitsPerChannel;
        var cellBits = BitsPerCell;
        var mask = Levels - 1;
        var levels = _levelOfSymbol;
        ulong pending = 0;
        var pendingBits = 0;
        var next = 0;

        for (var cy = 0; cy < CellsDown; cy++)
        {
            // Paint the first pixel row of the band cell by cell, then copy it to the band's other rows.
            var band = frame.Slice(cy * size * rowBytes, size * rowBytes);
            var first = band[..rowBytes];
            for (var cx = 0; cx < across; cx++)
            {
                while (pendingBits < cellBits)
                {
                    pending = (pending << 8) | (next < payload.Length ? payload[next] : 0u);
                    next++;
                    pendingBits += 8;
                }

                pendingBits -= cellBits;
                var cell = (int)(pending >> pendingBits);
                var red = levels[(cell >> (2 * bits)) & mask];
                var green = levels[(cell >> bits) & mask];
                var blue = levels[cell & mask];
                var pixels = first.Slice(cx * size * Channels, size * Channels);
                for (var p = 0; p < pixels.Length; p += Channels)
                {
                    pixels[p] = red;
                    pixels[p + 1] = green;
                    pixels[p + 2] = blue;
                }
            }

            first[(across * size * Channels)..].Fill(FrameGeometry.BorderLevel);
            for (var row = 1; row < size; row++)
            {
                first.CopyTo(band.Slice(row * rowBytes, rowBytes));
            }
        }

        frame[(CellsDown * size * rowBytes)..].Fill(FrameGeometry.BorderLevel);
    }

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, out int written, out ProtocolError error)
    {
        var payloadBytes = PayloadBytesPerFrame;
        if (payload.Length < payloadBytes)
        {
            throw new ArgumentException($"Payload buffer is {payload.Length} bytes; the frame carries {payloadBytes}.", nameof(payload));
        }

        if (frame.Length != FrameBytes)
        {
            written = 0;
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"frame is {frame.Length} bytes; a {Width}x{Height} rgb24 frame is {FrameBytes}");
            return false;
        }

        written = payloadBytes;
        error = default;
        if (CellSize == 1 && BitsPerChannel == MaxBitsPerChannel)
        {
            frame[..payloadBytes].CopyTo(payload);
            return true;
        }

        var cellBytes = CellCount * Channels;
        byte[]? measured = null;
        byte[]? tables = null;
        int[]? histograms = null;
        try
        {
            ReadOnlySpan<byte> means;
            if (CellSize == 1)
            {
                // One-pixel cells are their own means, in the same interleaved order.
                means = frame[..cellBytes];
            }
            else
            {
                measured = ArrayPool<byte>.Shared.Rent(cellBytes);
                MeasureCells(frame, measured);
                means = measured.AsSpan(0, cellBytes);
            }

            if (AdaptsLevels)
            {
                histograms = ArrayPool<int>.Shared.Rent(Channels * 256);
                tables = ArrayPool<byte>.Shared.Rent(Channels * 256);
                Array.Clear(histograms, 0, Channels * 256);
                CountMeans(means, histograms);
                for (var channel = 0; channel < Channels; channel++)
                {
                    BuildDecisionTable(histograms.AsSpan(channel * 256, 256), tables.AsSpan(channel * 256, 256));
                }

                PackSymbols(means, tables.AsSpan(0, 256), tables.AsSpan(256, 256), tables.AsSpan(512, 256), payload[..payloadBytes]);
            }
            else
            {
                PackSymbols(means, _nominalSymbolOf, _nominalSymbolOf, _nominalSymbolOf, payload[..payloadBytes]);
            }
        }
        finally
        {
            if (measured is not null)
            {
                ArrayPool<byte>.Shared.Return(measured);
            }

            if (tables is not null)
            {
                ArrayPool<byte>.Shared.Return(tables);
            }

            if (histograms is not null)
            {
                ArrayPool<int>.Shared.Return(histograms);
            }
        }

        return true;
    }

    /// <summary>Counts each channel's cell means into its 256-entry slice of <paramref name="histograms"/>.</summary>
    private static void CountMeans(ReadOnlySpan<byte> means, Span<int> histograms)
    {
        var red = histograms[..256];
        var green = histograms.Slice(256, 256);
        var blue = histograms.Slice(512, 256);
        for (var i = 0; i + 2 < means.Length; i += Channels)
        {
            red[means[i]]++;
            green[means[i + 1]]++;
            blue[means[i + 2]]++;
        }
    }

    /// <summary>Writes each cell's rounded inner mean per channel, interleaved R, G, B, to <paramref name="means"/>.</summary>
    private void MeasureCells(ReadOnlySpan<byte> frame, byte[] means)
    {
        var size = CellSize;
        var across = CellsAcross;
        var rowBytes = Width * Channels;
        var margin = size >= 3 ? 1 : 0;
        var inner = size - (2 * margin);
        var area = inner * inner;
        var used = across * size * Channels;
        var columnSums = ArrayPool<ushort>.Shared.Rent(used);
        try
        {
            var sums = columnSums.AsSpan(0, used);
            var cell = 0;
            for (var cy = 0; cy < CellsDown; cy++)
            {
                sums.Clear();
                var top = (cy * size) + margin;
                for (var row = 0; row < inner; row++)
                {
                    // At most 8 inner rows of 255 are summed, so ushort columns cannot overflow.
                    GrayFrameDecoder.AddRow(frame.Slice((top + row) * rowBytes, used), sums);
                }

                for (var cx = 0; cx < across; cx++, cell += Channels)
                {
                    var columns = sums.Slice(((cx * size) + margin) * Channels, inner * Channels);
                    int red = 0, green = 0, blue = 0;
                    for (var k = 0; k < columns.Length; k += Channels)
                    {
                        red += columns[k];
                        green += columns[k + 1];
                        blue += columns[k + 2];
                    }

                    means[cell] = (byte)((red + (area / 2)) / area);
                    means[cell + 1] = (byte)((green + (area / 2)) / area);
                    means[cell + 2] = (byte)((blue + (area / 2)) / area);
                }
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(columnSums);
        }
    }

    /// <summary>Maps every possible cell mean of one channel to its symbol, with boundaries midway between the fitted levels.</summary>
    private void BuildDecisionTable(ReadOnlySpan<int> histogram, Span<byte> symbolOf)
    {
        var steps = Levels - 1;
        var (black, step) = EstimateLevels(histogram, steps);
        for (var value = 0; value < 256; value++)
        {
            var index = (int)Math.Clamp(Math.Round((value - black) / step), 0, steps);
            symbolOf[value] = _symbolOfIndex[index];
        }
    }

    /// <summary>
    /// Estimates a channel's darkest level and level step. The darkest and brightest cell means are levels, but a
    /// short payload may not use every level, so each assignment of them to level indices is scored by how well the
    /// evenly spaced levels it implies fit the distinct cell means, plus a prior that favours levels near the nominal
    /// 0..255; the best assignment wins. Too little spread keeps the nominal levels.
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

        Span<byte> distinct = stackalloc byte[256];
        var count = 0;
        for (var value = darkest; value <= brightest; value++)
        {
            if (histogram[value] != 0)
            {
                distinct[count++] = (byte)value;
            }
        }

        var values = distinct[..count];
        var minStep = nominal.Step * MinStepShare;
        var best = nominal;
        var bestScore = double.MaxValue;
        for (var low = 0; low < steps; low++)
        {
            for (var high = low + 1; high <= steps; high++)
            {
                var step = (double)(brightest - darkest) / (high - low);
                if (step < minStep)
                {
                    continue;
                }

                var black = darkest - (low * step);
                var white = black + (steps * step);
                var misfit = MeanSquaredError(values, black, step, steps) / (nominal.Step * nominal.Step);
                var prior = ((black * black) + ((white - 255) * (white - 255))) / (255.0 * 255.0);
                var score = misfit + (PriorWeight * prior);
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
    /// Mean squared distance from each distinct cell mean to the nearest level black + i × step, i in 0..steps.
    /// Distinct values, not cells, are averaged, so the black cells after a short payload cannot hide a poor fit.
    /// </summary>
    private static double MeanSquaredError(ReadOnlySpan<byte> values, double black, double step, int steps)
    {
        double total = 0;
        foreach (var value in values)
        {
            var index = Math.Clamp(Math.Round((value - black) / step), 0, steps);
            var distance = value - (black + (index * step));
            total += distance * distance;
        }

        return total / values.Length;
    }

    /// <summary>Packs each cell's three symbols, MSB first, into <paramref name="payload"/>; bits past its end are dropped.</summary>
    private void PackSymbols(
        ReadOnlySpan<byte> means, ReadOnlySpan<byte> red, ReadOnlySpan<byte> green, ReadOnlySpan<byte> blue, Span<byte> payload)
    {
        var bits = BitsPerChannel;
        var cellBits = BitsPerCell;
        ulong pending = 0;
        var pendingBits = 0;
        var output = 0;
        var i = 0;
        while (output < payload.Length)
        {
            var cell = ((uint)red[means[i]] << (2 * bits)) | ((uint)green[means[i + 1]] << bits) | blue[means[i + 2]];
            i += Channels;
            pending = (pending << cellBits) | cell;
            pendingBits += cellBits;
            while (pendingBits >= 8 && output < payload.Length)
            {
                pendingBits -= 8;
                payload[output++] = (byte)(pending >> pendingBits);
            }
        }
    }
}

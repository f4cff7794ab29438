namespace Isg.Protocol.Frames;

/// <summary>Writes payload bits into gray8 frames as cells of uniform grey; stateless and thread-safe.</summary>
public static class GrayFrameEncoder
{
    /// <summary>Gray4 level indexed by 2-bit symbol: Gray coding, so neighbouring levels differ in one bit.</summary>
    private static ReadOnlySpan<byte> Gray4Levels => [0, 85, 255, 170];

    private static ReadOnlySpan<byte> BlackWhiteLevels => [0, 255];

    /// <summary>
    /// Fills <paramref name="frame"/> (exactly <see cref="FrameGeometry.FrameBytes"/> bytes, row-major) with
    /// <paramref name="payload"/> (at most <see cref="FrameGeometry.PayloadBytesPerFrame"/> bytes), MSB first, one
    /// symbol per cell in row-major cell order. Cells past the payload are black; border pixels are mid-grey.
    /// Throws <see cref="ArgumentException"/> on a wrong frame length or an oversized payload.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> payload, FrameGeometry geometry, Span<byte> frame)
    {
        if (frame.Length != geometry.FrameBytes)
        {
            throw new ArgumentException($"Frame is {frame.Length} bytes; the geometry needs {geometry.FrameBytes}.", nameof(frame));
        }

        if (payload.Length > geometry.PayloadBytesPerFrame)
        {
            throw new ArgumentException(
                $"Payload is {payload.Length} bytes; a frame carries at most {geometry.PayloadBytesPerFrame}.", nameof(payload));
        }

        var width = geometry.Width;
        var size = geometry.CellSize;
        var across = geometry.CellsAcross;
        var down = geometry.CellsDown;
        var bits = geometry.BitsPerCell;
        var levels = bits == 1 ? BlackWhiteLevels : Gray4Levels;
        var mask = (1 << bits) - 1;
        var totalBits = payload.Length * 8;
        var bit = 0;

        for (var cy = 0; cy < down; cy++)
        {
            // Paint the first pixel row of the band cell by cell, then copy it to the band's other rows.
            var band = frame.Slice(cy * size * width, size * width);
            var first = band[..width];
            for (var cx = 0; cx < across; cx++, bit += bits)
            {
                var symbol = bit < totalBits ? (payload[bit >> 3] >> (8 - bits - (bit & 7))) & mask : 0;
                first.Slice(cx * size, size).Fill(levels[symbol]);
            }

            first[(across * size)..].Fill(FrameGeometry.BorderLevel);
            for (var row = 1; row < size; row++)
            {
                first.CopyTo(band.Slice(row * width, width));
            }
        }

        frame[(down * size * width)..].Fill(FrameGeometry.BorderLevel);
    }
}

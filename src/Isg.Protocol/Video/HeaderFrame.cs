using System.Buffers;
using System.Buffers.Binary;
using Isg.Protocol.Erasure;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Video;

/// <summary>
/// Draws a <see cref="VideoHeader"/> as one gray8 frame and reads it back. The frame is a fixed grid of
/// <see cref="CellsAcross"/> × <see cref="CellsDown"/> black/white cells stretched over the whole picture, so it reads
/// at any resolution the platform returns (20-pixel cells at 1080p, still 6 at 640×360) before the decoder knows the
/// data frames' geometry. The 648 bytes hold u16 length || header || CRC-32C, under an interleaved Reed-Solomon code
/// with 64 parity bytes per 216-byte codeword (any 32 bad bytes of each are corrected). Stateless and thread-safe.
/// </summary>
public static class HeaderFrame
{
    /// <summary>Cells per row of the header grid.</summary>
    public const int CellsAcross = 96;

    /// <summary>Cell rows of the header grid.</summary>
    public const int CellsDown = 54;

    private const int CapacityBytes = CellsAcross * CellsDown / 8;
    private const int ParityBytes = 64;

    private static readonly InterleavedCode s_code = InterleavedCode.ForCapacity(CapacityBytes, ParityBytes);

    /// <summary>Draws <paramref name="header"/> into <paramref name="frame"/>, a gray8 picture of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static void Render(VideoHeader header, int width, int height, Span<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, CellsAcross);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, CellsDown);
        if (frame.Length != width * height)
        {
            throw new ArgumentException($"Frame is {frame.Length} bytes; {width}x{height} gray8 needs {width * height}.", nameof(frame));
        }

        if (header.EncodedLength + 6 > s_code.DataBytes)
        {
            throw new ArgumentException($"Header is {header.EncodedLength} bytes; a header frame holds {s_code.DataBytes - 6}.", nameof(header));
        }

        Span<byte> bytes = stackalloc byte[CapacityBytes];
        bytes.Clear();
        var length = header.WriteTo(bytes[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(2 + length)..], Crc32C.Compute(bytes[..(2 + length)]));
        s_code.EncodeInPlace(bytes);

        for (var y = 0; y < height; y++)
        {
            var cy = y * CellsDown / height;
            var row = frame.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var bit = cy * CellsAcross + (x * CellsAcross / width);
                row[x] = (byte)(((bytes[bit >> 3] >> (7 - (bit & 7))) & 1) != 0 ? 255 : 0);
            }
        }
    }

    /// <summary>
    /// Reads a header from a gray8 frame of any size; false with <see cref="ProtocolErrorKind.BadMagic"/> when the
    /// frame is not a header frame (a data frame, a title card) or too damaged to correct, or with the header's own
    /// parse error.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, int width, int height, out VideoHeader header, out ProtocolError error)
    {
        header = null!;
        if (width < CellsAcross || height < CellsDown || frame.Length != width * height)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"a {width}x{height} frame of {frame.Length} bytes cannot hold a header");
            return false;
        }

        var means = ArrayPool<byte>.Shared.Rent(CellsAcross * CellsDown);
        try
        {
            MeasureCells(frame, width, height, means);
            var threshold = Threshold(means.AsSpan(0, CellsAcross * CellsDown));
            Span<byte> bytes = stackalloc byte[CapacityBytes];
            bytes.Clear();
            for (var bit = 0; bit < CellsAcross * CellsDown; bit++)
            {
                if (means[bit] >= threshold)
                {
                    bytes[bit >> 3] |= (byte)(0x80 >> (bit & 7));
                }
            }

            if (!s_code.DecodeInPlace(bytes).Success)
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadMagic, "not a readable ISGv2 header frame");
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
            if (length > s_code.DataBytes - 6
                || BinaryPrimitives.ReadUInt32LittleEndian(bytes[(2 + length)..]) != Crc32C.Compute(bytes[..(2 + length)]))
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadMagic, "not an ISGv2 header frame (check failed)");
                return false;
            }

            return VideoHeader.TryRead(bytes.Slice(2, length), out header, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(means);
        }
    }

    // Each cell is read as the mean of its middle half in both directions: codecs and scalers smear the edges.
    private static void MeasureCells(ReadOnlySpan<byte> frame, int width, int height, Span<byte> means)
    {
        for (var cy = 0; cy < CellsDown; cy++)
        {
            int top = cy * height / CellsDown, bottom = (cy + 1) * height / CellsDown;
            int y0 = top + ((bottom - top) / 4), y1 = Math.Max(y0 + 1, bottom - ((bottom - top) / 4));
            for (var cx = 0; cx < CellsAcross; cx++)
            {
                int left = cx * width / CellsAcross, right = (cx + 1) * width / CellsAcross;
                int x0 = left + ((right - left) / 4), x1 = Math.Max(x0 + 1, right - ((right - left) / 4));
                var sum = 0;
                for (var y = y0; y < y1; y++)
                {
                    foreach (var value in frame.Slice((y * width) + x0, x1 - x0))
                    {
                        sum += value;
                    }
                }

                means[(cy * CellsAcross) + cx] = (byte)(sum / ((y1 - y0) * (x1 - x0)));
            }
        }
    }

    // Two-means: the midpoint between the average dark and the average bright cell, so a dimmed or washed-out
    // picture still splits where its two levels actually are.
    private static int Threshold(ReadOnlySpan<byte> means)
    {
        var threshold = 128;
        for (var round = 0; round < 4; round++)
        {
            long darkSum = 0, brightSum = 0;
            int dark = 0, bright = 0;
            foreach (var value in means)
            {
                if (value < threshold)
                {
                    darkSum += value;
                    dark++;
                }
                else
                {
                    brightSum += value;
                    bright++;
                }
            }

            if (dark == 0 || bright == 0)
            {
                return threshold;
            }

            threshold = (int)(((darkSum / dark) + (brightSum / bright) + 1) / 2);
        }

        return threshold;
    }
}

namespace Isg.Protocol.Frames;

/// <summary>Builds the <see cref="IFrameCodec"/> for a video's encoding parameters (as stored in its header).</summary>
public static class FrameCodecFactory
{
    /// <summary>
    /// QR version of every tile in <see cref="VideoMode.Qr"/>: measured at 1920x1080 through libx264 (crf 23 and 30),
    /// version 20 read every tile at 2, 3 and 4 px per module, where versions 10 and 15 lost whole frames at 3 px.
    /// </summary>
    public const int QrVersion = 20;

    /// <summary>QR error-correction level of every tile in <see cref="VideoMode.Qr"/> (M: L lost tiles at crf 30).</summary>
    public const QrErrorCorrection QrLevel = QrErrorCorrection.M;

    /// <summary>
    /// The codec for <paramref name="mode"/>: grey modes get a <see cref="GrayFrameCodec"/> of
    /// <paramref name="cellSize"/>-pixel cells, <see cref="VideoMode.Rgb"/> an <see cref="RgbFrameCodec"/> at
    /// <paramref name="bitsPerChannel"/>, and <see cref="VideoMode.Qr"/> a <see cref="QrFrameCodec"/> of
    /// <see cref="QrVersion"/>/<see cref="QrLevel"/> codes with <paramref name="cellSize"/> pixels per module.
    /// <paramref name="bitsPerChannel"/> is read only for <see cref="VideoMode.Rgb"/>. Throws
    /// <see cref="ArgumentOutOfRangeException"/> naming the bad argument.
    /// </summary>
    public static IFrameCodec Create(VideoMode mode, int width, int height, int cellSize, int bitsPerChannel)
    {
        switch (mode)
        {
            case VideoMode.BlackWhite:
                return new GrayFrameCodec(new FrameGeometry(width, height, cellSize, FrameMode.BlackWhite));
            case VideoMode.Gray4:
                return new GrayFrameCodec(new FrameGeometry(width, height, cellSize, FrameMode.Gray4));
            case VideoMode.Rgb:
                return new RgbFrameCodec(width, height, cellSize, bitsPerChannel);
            case VideoMode.Qr:
                // The codec names its argument moduleSize; callers know it as the cell size.
                ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, QrFrameCodec.MinModuleSize);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(cellSize, QrFrameCodec.MaxModuleSize);
                return new QrFrameCodec(width, height, cellSize, QrVersion, QrLevel);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown video mode.");
        }
    }
}

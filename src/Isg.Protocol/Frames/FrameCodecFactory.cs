namespace Isg.Protocol.Frames;

/// <summary>Builds the <see cref="IFrameCodec"/> for a video's encoding parameters (as stored in its header).</summary>
public static class FrameCodecFactory
{
    /// <summary>
    /// QR version of every tile in <see cref="VideoMode.Qr"/>. Measured on single 1920x1080 frames through libx264
    /// (crf 23, 30, 35): version 20 at level M read every tile at 3 and 4 px per module at all three and at 2 px up
    /// to crf 30, while version 10 (M, crf 23) and 15 (L, crf 30) lost whole frames at 3 px. At 1 px per module zbar
    /// reads nothing, hence <see cref="QrFrameCodec.MinModuleSize"/> = 2.
    /// </summary>
    public const int QrVersion = 20;

    /// <summary>
    /// QR error-correction level of every tile in <see cref="VideoMode.Qr"/>: M. Through crf 30, L lost tiles at
    /// versions 10 and 15 (2 px per module) where M did not; at version 20 both read everything we tried, so M is
    /// margin, bought with 22% of the capacity of L. Single-frame measurements: treat them as indicative.
    /// </summary>
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

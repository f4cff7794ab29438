namespace Isg.Protocol.Frames;

/// <summary>How a raw video frame stores its pixels; the value is bytes per pixel (ffmpeg's <c>gray</c> and <c>rgb24</c>).</summary>
public enum PixelFormat
{
    /// <summary>One luma byte per pixel, row-major (ffmpeg <c>-pix_fmt gray</c>).</summary>
    Gray8 = 1,

    /// <summary>Three bytes per pixel, R then G then B, row-major (ffmpeg <c>-pix_fmt rgb24</c>).</summary>
    Rgb24 = 3,
}

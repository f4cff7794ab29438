using Isg.Protocol.Frames;

namespace Isg.Protocol.Video;

/// <summary>
/// How an ISGv2 video lays out its data frames: the frame codec (mode, size, cell, bits per channel), the inner
/// error-correcting code (parity bytes per 255-byte codeword), the outer erasure code across frames (groups of
/// data frames plus parity frames), how many times each frame is shown, and the frame rate. Every field is stored
/// in the video's header, so a decoder needs nothing else.
/// </summary>
public sealed record VideoParameters(
    VideoMode Mode,
    int Width,
    int Height,
    int CellSize,
    int BitsPerChannel,
    int InnerParity,
    int GroupDataFrames,
    int GroupParityFrames,
    int Repeat,
    double FramesPerSecond)
{
    /// <summary>Largest frame edge in pixels.</summary>
    public const int MaxDimension = 8192;

    /// <summary>Most data frames in one outer-code group.</summary>
    public const int MaxGroupDataFrames = 64;

    /// <summary>Most parity frames in one outer-code group.</summary>
    public const int MaxGroupParityFrames = 32;

    /// <summary>Most times one frame is shown in a row.</summary>
    public const int MaxRepeat = 16;

    /// <summary>True when every field is in range; otherwise false with a one-line reason naming the field.</summary>
    public bool TryValidate(out string problem)
    {
        problem =
            !Enum.IsDefined(Mode) ? $"mode {(int)Mode} is unknown"
            : Width is < HeaderFrame.CellsAcross or > MaxDimension || Width % 2 != 0 ? $"width must be even and {HeaderFrame.CellsAcross}..{MaxDimension}, got {Width}"
            : Height is < HeaderFrame.CellsDown or > MaxDimension || Height % 2 != 0 ? $"height must be even and {HeaderFrame.CellsDown}..{MaxDimension}, got {Height}"
            : CellSize is < 1 or > 10 ? $"cell size must be 1..10, got {CellSize}"
            : BitsPerChannel is < 1 or > 8 ? $"bits per channel must be 1..8, got {BitsPerChannel}"
            : InnerParity is < 2 or > 128 ? $"inner parity must be 2..128 bytes per codeword, got {InnerParity}"
            : GroupDataFrames is < 1 or > MaxGroupDataFrames ? $"group data frames must be 1..{MaxGroupDataFrames}, got {GroupDataFrames}"
            : GroupParityFrames is < 0 or > MaxGroupParityFrames ? $"group parity frames must be 0..{MaxGroupParityFrames}, got {GroupParityFrames}"
            : Repeat is < 1 or > MaxRepeat ? $"repeat must be 1..{MaxRepeat}, got {Repeat}"
            : !(FramesPerSecond is >= 0.1 and <= 240) ? $"frames per second must be 0.1..240, got {FramesPerSecond}"
            : string.Empty;
        return problem.Length == 0;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a field is out of range.</summary>
    public void Validate()
    {
        if (!TryValidate(out var problem))
        {
            throw new ArgumentOutOfRangeException(nameof(VideoParameters), this, problem);
        }
    }

    /// <summary>The frame codec these parameters describe.</summary>
    public IFrameCodec CreateCodec() => FrameCodecFactory.Create(Mode, Width, Height, CellSize, BitsPerChannel);
}

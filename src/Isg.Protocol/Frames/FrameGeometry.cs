namespace Isg.Protocol.Frames;

/// <summary>
/// The layout of one gray8 data frame: <see cref="Width"/> × <see cref="Height"/> pixels cut into square cells of
/// <see cref="CellSize"/> pixels, row-major from the top-left. Pixels right of and below the last whole cell are
/// border (mid-grey). Immutable; the constructor validates and throws <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
public readonly record struct FrameGeometry
{
    /// <summary>Smallest allowed cell edge in pixels.</summary>
    public const int MinCellSize = 1;

    /// <summary>Largest allowed cell edge in pixels.</summary>
    public const int MaxCellSize = 10;

    /// <summary>Largest allowed frame width or height in pixels.</summary>
    public const int MaxDimension = 16384;

    /// <summary>The grey value written to border pixels outside every cell.</summary>
    public const byte BorderLevel = 128;

    /// <summary>Creates a geometry; throws <see cref="ArgumentOutOfRangeException"/> naming the bad argument.</summary>
    public FrameGeometry(int width, int height, int cellSize, FrameMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, MinCellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cellSize, MaxCellSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxDimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, cellSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxDimension);
        if (mode is not (FrameMode.BlackWhite or FrameMode.Gray4))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown frame mode.");
        }

        Width = width;
        Height = height;
        CellSize = cellSize;
        Mode = mode;
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Cell edge in pixels (1..10).</summary>
    public int CellSize { get; }

    /// <summary>Black/white or four grey levels.</summary>
    public FrameMode Mode { get; }

    /// <summary>Payload bits per cell: 1 or 2.</summary>
    public int BitsPerCell => (int)Mode;

    /// <summary>Whole cells per row.</summary>
    public int CellsAcross => Width / CellSize;

    /// <summary>Whole cells per column.</summary>
    public int CellsDown => Height / CellSize;

    /// <summary>Data cells in a frame.</summary>
    public int CellCount => CellsAcross * CellsDown;

    /// <summary>Payload bits a frame carries.</summary>
    public int PayloadBitsPerFrame => CellCount * BitsPerCell;

    /// <summary>Whole payload bytes a frame carries; the cells of a trailing partial byte stay black.</summary>
    public int PayloadBytesPerFrame => PayloadBitsPerFrame / 8;

    /// <summary>Bytes of one gray8 frame: width × height.</summary>
    public int FrameBytes => Width * Height;
}

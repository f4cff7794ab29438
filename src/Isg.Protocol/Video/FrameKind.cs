namespace Isg.Protocol.Video;

/// <summary>What a data frame carries; the value is stored in its meta.</summary>
public enum FrameKind : byte
{
    /// <summary>A slice of the payload.</summary>
    Data = 1,

    /// <summary>Outer-code parity over the data frames of its group.</summary>
    Parity = 2,
}

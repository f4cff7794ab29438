namespace Isg.Protocol.Frames;

/// <summary>How many grey levels a data cell uses; the value is the number of payload bits per cell.</summary>
public enum FrameMode
{
    /// <summary>Two levels (0 and 255): one bit per cell.</summary>
    BlackWhite = 1,
    /// <summary>Four levels (0, 85, 170, 255) carrying Gray-coded 2-bit symbols: two bits per cell.</summary>
    Gray4 = 2,
}

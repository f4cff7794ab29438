namespace Isg.Protocol.Frames;

/// <summary>A QR code's error-correction level: the share of its codewords that may be lost and still decode.</summary>
public enum QrErrorCorrection
{
    /// <summary>Low: about 7% of codewords recoverable; the most capacity.</summary>
    L = 1,

    /// <summary>Medium: about 15%.</summary>
    M = 2,

    /// <summary>Quartile: about 25%.</summary>
    Q = 3,

    /// <summary>High: about 30%; the least capacity.</summary>
    H = 4,
}

namespace Isg.Protocol.Frames;

/// <summary>How payload bits become pixels in an ISGv2 data frame; the value is stored in the video header.</summary>
public enum VideoMode
{
    /// <summary>Grey cells at two levels: one bit per cell (the most robust).</summary>
    BlackWhite = 1,

    /// <summary>Grey cells at four levels: two bits per cell.</summary>
    Gray4 = 2,

    /// <summary>Colour cells, a number of bits per channel, read back by nearest colour (lossless or light channels).</summary>
    Rgb = 3,

    /// <summary>QR codes tiled over the frame (drawn with QRCoder, read with libzbar).</summary>
    Qr = 4,
}

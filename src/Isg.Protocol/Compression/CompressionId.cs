namespace Isg.Protocol.Compression;

/// <summary>How a sealed block's payload is compressed. The numeric values are written in the envelope header.</summary>
public enum CompressionId : byte
{
    /// <summary>Stored raw: the payload is the plaintext.</summary>
    None = 0,
    /// <summary>A single zstd frame (libzstd).</summary>
    Zstd = 1,
    /// <summary>A Brotli stream.</summary>
    Brotli = 2,
}

namespace Isg.Protocol.Chunking;

/// <summary>Cuts every <see cref="ChunkSize"/> bytes (the last chunk may be shorter). Immutable and thread-safe.</summary>
public sealed class FixedSizeChunker : IChunker
{
    /// <summary>Creates a chunker that cuts every <paramref name="chunkSize"/> bytes (positive).</summary>
    public FixedSizeChunker(int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ChunkSize = chunkSize;
    }

    /// <summary>The length of every chunk but the last, in bytes.</summary>
    public int ChunkSize { get; }

    /// <inheritdoc />
    public int MaxChunkSize => ChunkSize;

    /// <inheritdoc />
    public int FindCutPoint(ReadOnlySpan<byte> data, bool isFinal)
    {
        if (data.Length >= ChunkSize)
        {
            return ChunkSize;
        }

        return isFinal ? data.Length : 0;
    }
}

namespace Isg.Protocol.Chunking;

/// <summary>Splits a byte stream into chunks, one cut at a time. Implementations are immutable and thread-safe.</summary>
public interface IChunker
{
    /// <summary>The largest chunk this chunker returns, in bytes; a caller that supplies this many bytes always gets a cut.</summary>
    int MaxChunkSize { get; }

    /// <summary>
    /// Finds the end of the chunk that starts at <paramref name="data"/>[0]. Returns its length when <paramref name="data"/>
    /// determines it (a cut was found, <see cref="MaxChunkSize"/> bytes are present, or <paramref name="isFinal"/> says no
    /// more bytes follow, in which case the rest is the chunk); returns 0 when more bytes are needed, or when
    /// <paramref name="data"/> is empty and final. Depends only on the bytes, never on how the caller split them.
    /// </summary>
    int FindCutPoint(ReadOnlySpan<byte> data, bool isFinal);
}

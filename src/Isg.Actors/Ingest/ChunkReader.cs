using Isg.Actors.Backends;
using Isg.Protocol.Chunking;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Ingest;

/// <summary>
/// Reads a file front to back and cuts it into content-defined chunks, each handed over as a pooled buffer (the receiver
/// disposes it) that is a slice of what was read, not a copy. Memory: read windows of twice the largest chunk, as many
/// as the chunks still in use span, whatever the file size.
/// </summary>
public sealed class ChunkReader(IChunker chunker)
{
    private readonly int _windowSize = Math.Max(2 * chunker.MaxChunkSize, 8 << 20);

    /// <summary>
    /// Reads <paramref name="file"/> to its end, calling <paramref name="onChunk"/> for each chunk in order.
    /// Returns the number of bytes read. <paramref name="expectedLength"/> sizes the first read for small files.
    /// </summary>
    /// <remarks>
    /// Chunks are slices of the segment they were read into. When what is left of a segment holds no cut, that part of a
    /// chunk moves to the front of a fresh window, which fills from the file: the old segment stays with the chunks in
    /// flight until they are done. Cutting before refilling keeps the moved part below one chunk. A small file is read
    /// into a segment of its size plus one byte, so that one read both takes it and shows that it did not grow.
    /// </remarks>
    public async Task<long> ReadAsync(SafeFileHandle file, long expectedLength, Func<PooledBuffer, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(onChunk);
        var segment = new PooledSegment(expectedLength >= 0 && expectedLength < _windowSize / 2 ? (int)expectedLength + 1 : _windowSize);
        try
        {
            long fileOffset = 0;
            var start = 0;
            var filled = 0;
            var endOfFile = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // With at least MaxChunkSize bytes, or at the end of the file, a cut is always found.
                var cut = start == filled ? 0 : chunker.FindCutPoint(segment.Span[start..filled], endOfFile);
                if (cut > 0)
                {
                    await onChunk(segment.Slice(start, cut)).ConfigureAwait(false);
                    start += cut;
                    continue;
                }

                if (endOfFile)
                {
                    return fileOffset;
                }

                if (start > 0 || filled == segment.Length)
                {
                    var next = new PooledSegment(_windowSize);
                    segment.Span[start..filled].CopyTo(next.Span);
                    segment.Release();
                    segment = next;
                    filled -= start;
                    start = 0;
                }

                while (filled < segment.Length)
                {
                    var n = RandomAccess.Read(file, segment.Span[filled..], fileOffset);
                    if (n == 0)
                    {
                        endOfFile = true;
                        break;
                    }

                    filled += n;
                    fileOffset += n;
                }
            }
        }
        finally
        {
            segment.Release();
        }
    }
}

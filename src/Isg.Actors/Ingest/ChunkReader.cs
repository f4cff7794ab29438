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
    /// Returns the number of bytes read. <paramref name="expectedLength"/> sizes the buffer for small files.
    /// </summary>
    public async Task<long> ReadAsync(SafeFileHandle file, long expectedLength, Func<PooledBuffer, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(onChunk);
        if (expectedLength >= 0 && expectedLength < _windowSize / 2)
        {
            var whole = await TryReadSmallAsync(file, (int)expectedLength, onChunk, cancellationToken).ConfigureAwait(false);
            if (whole >= 0)
            {
                return whole;
            }
        }

        return await ReadWindowedAsync(file, onChunk, cancellationToken).ConfigureAwait(false);
    }

    // A file that fits in one read: read it straight into a segment and hand out slices of it, no copy. Returns -1 when
    // the file grew meanwhile.
    private async Task<long> TryReadSmallAsync(SafeFileHandle file, int length, Func<PooledBuffer, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        var segment = new PooledSegment(length + 1);
        try
        {
            var read = 0;
            while (read < length + 1)
            {
                var n = RandomAccess.Read(file, segment.Span[read..(length + 1)], read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (read > length)
            {
                return -1;
            }

            // An empty file has no chunk; at the end of the input the chunker always cuts, so the loop advances.
            var offset = 0;
            while (offset < read)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var cut = chunker.FindCutPoint(segment.Span[offset..read], isFinal: true);
                await onChunk(segment.Slice(offset, cut)).ConfigureAwait(false);
                offset += cut;
            }

            return read;
        }
        finally
        {
            segment.Release();
        }
    }

    // Chunks are slices of the segment they were read into. When what is left of a segment holds no cut, that part of a
    // chunk moves to the front of a fresh segment, which fills from the file: the old one stays with the chunks in
    // flight until they are done. Cutting before refilling keeps the moved part below one chunk.
    private async Task<long> ReadWindowedAsync(SafeFileHandle file, Func<PooledBuffer, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        var segment = new PooledSegment(_windowSize);
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

                if (start > 0)
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

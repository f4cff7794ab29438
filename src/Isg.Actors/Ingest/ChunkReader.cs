using System.Buffers;
using Isg.Actors.Backends;
using Isg.Protocol.Chunking;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Ingest;

/// <summary>
/// Reads a file front to back and cuts it into content-defined chunks, each handed over in its own pooled
/// buffer (the receiver disposes it). Memory: one read window of twice the largest chunk, whatever the file size.
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

    // A file that fits in one read: read it straight into the buffer(s) we hand over, no copy for the
    // common case of a file below the minimum chunk size. Returns -1 when the file grew meanwhile.
    private async Task<long> TryReadSmallAsync(SafeFileHandle file, int length, Func<PooledBuffer, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length + 1);
        try
        {
            var read = 0;
            while (read < length + 1)
            {
                var n = RandomAccess.Read(file, buffer.AsSpan(read, length + 1 - read), read);
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
                var cut = chunker.FindCutPoint(buffer.AsSpan(offset, read - offset), isFinal: true);
                if (offset == 0 && cut == read)
                {
                    var owned = PooledBuffer.Adopt(buffer, read);
                    buffer = null;
                    await onChunk(owned).ConfigureAwait(false);
                    return read;
                }

                await onChunk(PooledBuffer.CopyOf(buffer.AsSpan(offset, cut))).ConfigureAwait(false);
                offset += cut;
            }

            return read;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task<long> ReadWindowedAsync(SafeFileHandle file, Func<PooledBuffer, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        var window = ArrayPool<byte>.Shared.Rent(_windowSize);
        try
        {
            long fileOffset = 0;
            var start = 0;
            var filled = 0;
            var endOfFile = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Refill when the rest might not hold a whole chunk: move the tail to the front, fill the window.
                if (!endOfFile && filled - start < chunker.MaxChunkSize)
                {
                    window.AsSpan(start, filled - start).CopyTo(window);
                    filled -= start;
                    start = 0;
                    while (filled < window.Length)
                    {
                        var n = RandomAccess.Read(file, window.AsSpan(filled), fileOffset);
                        if (n == 0)
                        {
                            endOfFile = true;
                            break;
                        }

                        filled += n;
                        fileOffset += n;
                    }
                }

                if (start == filled)
                {
                    return fileOffset;
                }

                // With at least MaxChunkSize bytes, or at the end of the file, a cut is always found.
                var cut = chunker.FindCutPoint(window.AsSpan(start, filled - start), endOfFile);
                await onChunk(PooledBuffer.CopyOf(window.AsSpan(start, cut))).ConfigureAwait(false);
                start += cut;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }
}

using Isg.Actors.Backends;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Storage;

/// <summary>Reads a file's first bytes, or a range of it, into a new pooled buffer, however many reads that takes.</summary>
public static class WholeFileRead
{
    /// <summary>
    /// The first <paramref name="length"/> bytes of <paramref name="handle"/>; when the file ends sooner, disposes the
    /// buffer and throws what <paramref name="shortRead"/> makes of the count read.
    /// </summary>
    public static PooledBuffer Read(SafeFileHandle handle, int length, Func<int, Exception> shortRead) => ReadAt(handle, 0, length, shortRead);

    /// <summary>
    /// The <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="handle"/>; when the file ends
    /// sooner, disposes the buffer and throws what <paramref name="shortRead"/> makes of the count read.
    /// </summary>
    public static PooledBuffer ReadAt(SafeFileHandle handle, long offset, int length, Func<int, Exception> shortRead)
    {
        ArgumentNullException.ThrowIfNull(shortRead);
        var buffer = PooledBuffer.Rent(length);
        try
        {
            Fill(handle, buffer.Span, offset, shortRead);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="ReadAt"/>, into an <see cref="AlignedBuffer"/>: for large objects, whose buffers come from that pool
    /// whether they are read with direct I/O or not.
    /// </summary>
    public static AlignedBuffer ReadAlignedAt(SafeFileHandle handle, long offset, int length, Func<int, Exception> shortRead)
    {
        ArgumentNullException.ThrowIfNull(shortRead);
        var buffer = AlignedBuffer.Rent(length);
        try
        {
            Fill(handle, buffer.Memory.Span, offset, shortRead);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static void Fill(SafeFileHandle handle, Span<byte> span, long offset, Func<int, Exception> shortRead)
    {
        var read = 0;
        while (read < span.Length)
        {
            var n = RandomAccess.Read(handle, span[read..], offset + read);
            if (n == 0)
            {
                throw shortRead(read);
            }

            read += n;
        }
    }
}

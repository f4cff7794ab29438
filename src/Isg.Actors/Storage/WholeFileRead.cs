using System.Buffers;
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
    public static PooledBuffer ReadAt(SafeFileHandle handle, long offset, int length, Func<int, Exception> shortRead) =>
        Fill(PooledBuffer.Rent(length), handle, offset, shortRead);

    /// <summary>
    /// As <see cref="ReadAt"/>, into an <see cref="AlignedBuffer"/>: for large objects, whose buffers come from that pool
    /// whether they are read with direct I/O or not.
    /// </summary>
    public static AlignedBuffer ReadAlignedAt(SafeFileHandle handle, long offset, int length, Func<int, Exception> shortRead) =>
        Fill(AlignedBuffer.Rent(length), handle, offset, shortRead);

    // Fills the whole of buffer from offset; disposes it when that fails.
    private static T Fill<T>(T buffer, SafeFileHandle handle, long offset, Func<int, Exception> shortRead)
        where T : IMemoryOwner<byte>
    {
        try
        {
            ArgumentNullException.ThrowIfNull(shortRead);
            var span = buffer.Memory.Span;
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

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }
}

using Isg.Actors.Backends;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Storage;

/// <summary>Reads a file's first bytes, or a range of it, into a new <see cref="PooledBuffer"/>, however many reads that takes.</summary>
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
            var span = buffer.Span;
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

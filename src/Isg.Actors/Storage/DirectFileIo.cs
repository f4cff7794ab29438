using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Storage;

/// <summary>
/// Whole-file writes and reads with direct I/O (O_DIRECT), through <see cref="AlignedBuffer"/>s. A buffered write
/// copies every byte into page-cache pages the kernel has to allocate, and allocating fresh pages is slow where
/// the memory is lazily backed (a virtual machine whose free pages went back to the host: measured here at about
/// 540 MB/s against 3.8 GB/s into recycled pages). Direct I/O moves the bytes between the disk and a buffer the
/// process keeps reusing, and leaves the page cache to other programs.
/// </summary>
public static class DirectFileIo
{
    /// <summary>
    /// Whether files under <paramref name="directory"/> take direct I/O: writes, truncates and reads back a probe
    /// file there, then deletes it. False on file systems without O_DIRECT and on any failure of the probe.
    /// </summary>
    public static bool IsSupported(string directory)
    {
        var probe = Path.Combine(directory, "direct-io-probe-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var buffer = AlignedBuffer.Rent(AlignedBuffer.Alignment + 1);
            buffer.Memory.Span.Fill(0x5A);
            using (var handle = File.OpenHandle(probe, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                if (!NativeFileSystem.TryEnableDirectIo(handle))
                {
                    return false;
                }

                Write(handle, buffer.Memory.Span);
                using var back = Read(handle, buffer.Length);
                return RandomAccess.GetLength(handle) == buffer.Length && back.Memory.Span.SequenceEqual(buffer.Memory.Span);
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (IOException)
            {
                // A leftover probe is harmless; the next probe overwrites it.
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> as the whole content of <paramref name="handle"/> (an empty file opened for
    /// writing, switched to direct I/O): one aligned write of the data padded with zeros, then a truncate to its
    /// exact length.
    /// </summary>
    public static void Write(SafeFileHandle handle, ReadOnlySpan<byte> data)
    {
        using var buffer = AlignedBuffer.Rent(data.Length);
        var padded = buffer.Padded;
        data.CopyTo(padded);
        padded[data.Length..].Clear();
        RandomAccess.Write(handle, padded, 0);
        RandomAccess.SetLength(handle, data.Length);
    }

    /// <summary>
    /// Reads the first <paramref name="length"/> bytes of <paramref name="handle"/> (switched to direct I/O) into a
    /// new <see cref="AlignedBuffer"/>; the caller disposes it. Throws <see cref="EndOfStreamException"/> when the
    /// file is shorter.
    /// </summary>
    public static AlignedBuffer Read(SafeFileHandle handle, int length)
    {
        var buffer = AlignedBuffer.Rent(length);
        try
        {
            var padded = buffer.Padded;
            var read = 0;
            while (read < length)
            {
                // Direct reads return whole blocks until the end of the file, so every offset stays aligned.
                var n = RandomAccess.Read(handle, padded[read..], read);
                if (n == 0 || (read + n < length && (n & (AlignedBuffer.Alignment - 1)) != 0))
                {
                    throw new EndOfStreamException($"read {read + n} of {length} bytes");
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

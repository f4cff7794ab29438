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
    /// The smallest object worth direct I/O. A direct write waits for the disk, which costs more than the copy for a
    /// few kilobytes, and small objects are cheaper written back together by a flush barrier.
    /// </summary>
    public const int MinimumLength = 256 * 1024;

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
    /// writing, switched to direct I/O), then truncates the file to the data's exact length. See <see cref="WriteAt"/>.
    /// </summary>
    public static void Write(SafeFileHandle handle, ReadOnlySpan<byte> data)
    {
        WriteAt(handle, data, 0);
        RandomAccess.SetLength(handle, data.Length);
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/> (a multiple of <see cref="AlignedBuffer.Alignment"/>)
    /// of <paramref name="handle"/> (switched to direct I/O). The last partial page goes out padded with zeros, so the
    /// file holds up to the next aligned offset. Data that starts on an aligned address (an <see cref="AlignedBuffer"/>'s)
    /// is written where it lies, and only its last partial page is copied; other data is copied into an aligned buffer first.
    /// </summary>
    public static unsafe void WriteAt(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset)
    {
        if ((offset & (AlignedBuffer.Alignment - 1)) != 0)
        {
            throw new ArgumentException($"a direct write starts at a multiple of {AlignedBuffer.Alignment}, not at {offset}", nameof(offset));
        }

        fixed (byte* start = data)
        {
            // Pinned for the check and the write alike: the memory cannot move in between.
            if (((nint)start & (AlignedBuffer.Alignment - 1)) == 0)
            {
                var whole = data.Length & ~(AlignedBuffer.Alignment - 1);
                if (whole > 0)
                {
                    RandomAccess.Write(handle, data[..whole], offset);
                }

                WritePadded(handle, data[whole..], offset + whole);
            }
            else
            {
                WritePadded(handle, data, offset);
            }
        }
    }

    // Copies data into an aligned buffer padded with zeros and writes it at the (aligned) offset.
    private static void WritePadded(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset)
    {
        if (data.IsEmpty)
        {
            return;
        }

        using var buffer = AlignedBuffer.Rent(data.Length);
        var padded = buffer.Padded;
        data.CopyTo(padded);
        padded[data.Length..].Clear();
        RandomAccess.Write(handle, padded, offset);
    }

    /// <summary>
    /// Reads the first <paramref name="length"/> bytes of <paramref name="handle"/> (switched to direct I/O) into a
    /// new <see cref="AlignedBuffer"/>; the caller disposes it. Throws <see cref="EndOfStreamException"/> when the
    /// file is shorter.
    /// </summary>
    public static AlignedBuffer Read(SafeFileHandle handle, int length) => ReadAt(handle, 0, length);

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> (a multiple of <see cref="AlignedBuffer.Alignment"/>)
    /// of <paramref name="handle"/> (switched to direct I/O) into a new <see cref="AlignedBuffer"/>; the caller disposes
    /// it. Throws <see cref="EndOfStreamException"/> when the file ends before.
    /// </summary>
    public static AlignedBuffer ReadAt(SafeFileHandle handle, long offset, int length)
    {
        if ((offset & (AlignedBuffer.Alignment - 1)) != 0)
        {
            throw new ArgumentException($"a direct read starts at a multiple of {AlignedBuffer.Alignment}, not at {offset}", nameof(offset));
        }

        var buffer = AlignedBuffer.Rent(length);
        try
        {
            var padded = buffer.Padded;
            var read = 0;
            while (read < length)
            {
                // Direct reads return whole blocks until the end of the file, so every offset stays aligned.
                var n = RandomAccess.Read(handle, padded[read..], offset + read);
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

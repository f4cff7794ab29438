using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Backends.Local;

/// <summary>The few POSIX calls .NET does not expose: fsync of a path or directory, and syncfs(2). Linux only.</summary>
internal static partial class LibC
{
    private const string Library = "libc";
    private const int ReadOnly = 0;

    // O_CLOEXEC is 02000000 on x86-64 and arm64 alike.
    private const int CloseOnExec = 0x80000;

    private const int ErrnoNoEntry = 2;

    /// <summary>fsync(2) an open file; throws <see cref="IOException"/> carrying errno in its HResult.</summary>
    public static void Fsync(SafeFileHandle handle, string path)
    {
        if (FsyncHandle(handle) != 0)
        {
            throw ErrnoException("fsync", path);
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> (file or directory) read-only and fsyncs it. Returns false when it no longer
    /// exists, which callers treat as nothing left to make durable.
    /// </summary>
    public static bool FsyncPath(string path)
    {
        var fd = Open(path, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            if (Marshal.GetLastPInvokeError() == ErrnoNoEntry)
            {
                return false;
            }

            throw ErrnoException("open", path);
        }

        try
        {
            if (FsyncFd(fd) != 0)
            {
                throw ErrnoException("fsync", path);
            }

            return true;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Opens a directory (or file) read-only, for fsync or syncfs later; the handle closes the descriptor.</summary>
    public static SafeFileHandle OpenReadOnly(string path)
    {
        var fd = Open(path, ReadOnly | CloseOnExec);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw ErrnoException("open", path);
    }

    /// <summary>
    /// syncfs(2): writes back every dirty page and inode of the file system holding <paramref name="handle"/>.
    /// Since Linux 5.8 it fails when any write-back on that file system failed since the descriptor was opened
    /// (each error reported once per descriptor).
    /// </summary>
    public static void SyncFileSystem(SafeFileHandle handle, string path)
    {
        if (SyncFs(handle) != 0)
        {
            throw ErrnoException("syncfs", path);
        }
    }

    private static IOException ErrnoException(string operation, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        // HResult = errno, as .NET's own IOExceptions on Unix carry it.
        return new IOException($"{operation} '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncHandle(SafeFileHandle fd);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport(Library, EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(SafeFileHandle fd);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

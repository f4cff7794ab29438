using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Storage;

/// <summary>
/// The POSIX calls .NET does not expose: fsync of a path or directory (so a rename survives a power cut), syncfs(2)
/// (one barrier for many files written without fsync), statx (file type and nanosecond mtime without following
/// symlinks) and utimensat (set that mtime back). Linux only.
/// </summary>
public static partial class NativeFileSystem
{
    private const string Library = "libc";
    private const int ReadOnly = 0;

    // O_CLOEXEC is 02000000 on x86-64 and arm64 alike.
    private const int CloseOnExec = 0x80000;

    private const int ErrnoNoEntry = 2;
    private const int ErrnoExists = 17;
    private const int ErrnoNoSpace = 28;
    private const int ErrnoQuota = 122;
    private const uint SyncFileRangeWrite = 2;
    private const int FallocateKeepSize = 1;
    private const int FallocatePunchHole = 2;
    private const int AdviseRandom = 1;                // POSIX_FADV_RANDOM

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

    /// <summary>syncfs(2) on the file system holding <paramref name="path"/>, through a descriptor opened for the call.</summary>
    public static void SyncFileSystem(string path)
    {
        using var handle = OpenReadOnly(path);
        SyncFileSystem(handle, path);
    }

    /// <summary>
    /// Starts write-back of everything written to <paramref name="handle"/> without waiting for it
    /// (sync_file_range SYNC_FILE_RANGE_WRITE), so a later fsync or syncfs finds little left to do while the
    /// disk works in parallel with the CPU. Advisory: failures are ignored (the later barrier reports them).
    /// </summary>
    public static void StartWriteBack(SafeFileHandle handle) => _ = SyncFileRange(handle, 0, 0, SyncFileRangeWrite);

    /// <summary>
    /// Frees the disk space of <paramref name="length"/> bytes at <paramref name="offset"/> (fallocate PUNCH_HOLE,
    /// keeping the size): the range then reads as zeros. False where the file system cannot (the space stays used).
    /// </summary>
    public static bool TryPunchHole(SafeFileHandle handle, long offset, long length) =>
        Fallocate(handle, FallocatePunchHole | FallocateKeepSize, offset, length) == 0;

    /// <summary>
    /// Allocates disk space for <paramref name="length"/> bytes at <paramref name="offset"/> (fallocate, mode 0): the
    /// file grows to cover it and the new range reads as zeros until written. False where the file system cannot or the
    /// disk lacks the room; the file may then hold part of the range, as fallocate(2) leaves it.
    /// </summary>
    public static bool TryAllocate(SafeFileHandle handle, long offset, long length) => Fallocate(handle, 0, offset, length) == 0;

    /// <summary>
    /// Tells the kernel that <paramref name="handle"/>'s reads jump about (posix_fadvise POSIX_FADV_RANDOM): each read
    /// then fills the page cache with the pages it asks for and no readahead beyond them. False where the call fails;
    /// the reads are then as they would have been.
    /// </summary>
    public static bool TryAdviseRandomReads(SafeFileHandle handle) => Fadvise(handle, 0, 0, AdviseRandom) == 0;

    /// <summary>
    /// Switches an open file to direct I/O (O_DIRECT through fcntl F_SETFL): reads and writes then move between the
    /// disk and the caller's buffer without the page cache, which must be aligned as <see cref="AlignedBuffer"/> is.
    /// Returns false, leaving the descriptor buffered, where the file system does not support it (tmpfs before
    /// Linux 6.6, some FUSE and network file systems).
    /// </summary>
    public static bool TryEnableDirectIo(SafeFileHandle handle)
    {
        var flags = FcntlGet(handle, GetStatusFlags, 0);
        return flags >= 0 && FcntlSet(handle, SetStatusFlags, flags | s_direct) == 0;
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading only if it is (still) a regular file. The open does not block on a
    /// FIFO swapped in since the walk (O_NONBLOCK), does not follow a final symlink (O_NOFOLLOW), and the type is
    /// checked on the opened descriptor, so nothing can change between the check and the read.
    /// </summary>
    public static SafeFileHandle OpenRegularFileForRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fd = Open(path, ReadOnly | CloseOnExec | NonBlocking | s_noFollow);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 or 20 => new FileNotFoundException($"{path}: no such file or directory", path),
                13 => new UnauthorizedAccessException($"{path}: permission denied"),
                40 => new IOException($"{path}: became a symlink since it was listed", errno),
                _ => new IOException($"{path}: cannot open it (errno {errno})", errno),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> buffer = stackalloc byte[StatxSize];
        if (StatxDescriptor(fd, string.Empty, AtEmptyPath, StatxBasicStats, ref buffer[0]) != 0
            || (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(buffer[28..]) & FileTypeMask) != RegularType)
        {
            handle.Dispose();
            throw new IOException($"{path}: not a regular file any more (it changed since it was listed)");
        }

        return handle;
    }

    /// <summary>
    /// Opens (creating, mode 0644) a file to hold flock(2) locks on. .NET's own FileStream locking would take a
    /// lock of its own on the descriptor and get in the way, so this opens it directly.
    /// </summary>
    public static SafeFileHandle OpenLockFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fd = OpenWithMode(path, ReadWrite | Create | CloseOnExec, 0b110_100_100);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw ErrnoException("open", path);
    }

    /// <summary>
    /// Tries to take a shared or exclusive flock(2) on <paramref name="handle"/> without waiting. False when another
    /// open file holds a conflicting lock; the lock lasts until <see cref="Unlock"/> or until every copy of the descriptor is closed.
    /// </summary>
    public static bool TryLock(SafeFileHandle handle, bool exclusive, string path)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (Flock(handle, (exclusive ? LockExclusive : LockShared) | LockNonBlocking) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == WouldBlock ? false : throw ErrnoException("flock", path);
    }

    /// <summary>Releases a flock(2) taken on <paramref name="handle"/>, also for any copy of the descriptor a child process still holds.</summary>
    public static void Unlock(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        // Failing to unlock leaves nothing to undo: closing the descriptor releases the lock once no copy remains.
        _ = Flock(handle, LockUnlock);
    }

    /// <summary>
    /// link(2): gives <paramref name="existing"/> the second name <paramref name="newPath"/>, failing atomically when
    /// that name is taken. False when it is (EEXIST); any other failure throws.
    /// </summary>
    public static bool TryLink(string existing, string newPath)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(newPath);
        if (Link(existing, newPath) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == ErrnoExists ? false : throw ErrnoException("link", newPath);
    }

    /// <summary>True when <paramref name="exception"/> says the disk (or the user's quota) is full: ENOSPC or EDQUOT.</summary>
    public static bool IsDiskFull(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Errno(exception) is ErrnoNoSpace or ErrnoQuota;
    }

    /// <summary>The errno a .NET IOException on Unix carries in the low 16 bits of its HResult.</summary>
    public static int Errno(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.HResult & 0xFFFF;
    }

    /// <summary>Status of <paramref name="path"/> without following a final symlink (statx), with nanosecond mtime.</summary>
    public static FileStatus GetStatus(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<byte> buffer = stackalloc byte[StatxSize];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxBasicStats, ref buffer[0]) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 or 20 => new FileNotFoundException($"{path}: no such file or directory", path),
                13 => new UnauthorizedAccessException($"{path}: permission denied"),
                _ => new IOException($"{path}: statx failed (errno {errno})", errno),
            };
        }

        // struct statx has one layout on every Linux architecture, unlike struct stat.
        var mode = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(buffer[28..]);
        var size = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(buffer[40..]);
        var seconds = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(buffer[112..]);
        var nanos = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer[120..]);
        var kind = (mode & FileTypeMask) switch
        {
            RegularType => FileStatusKind.Regular,
            DirectoryType => FileStatusKind.Directory,
            SymlinkType => FileStatusKind.Symlink,
            _ => FileStatusKind.Special,
        };
        return new FileStatus(kind, size, mode & 0xFFF, seconds * 1_000_000_000 + nanos);
    }

    /// <summary>Sets the modification (and access) time of <paramref name="path"/> to the nanosecond, not following symlinks.</summary>
    public static void SetModificationTime(string path, long mtimeUnixNs)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<long> times = stackalloc long[4];
        times[0] = Math.DivRem(mtimeUnixNs, 1_000_000_000, out var nanos);
        if (nanos < 0)
        {
            times[0]--;
            nanos += 1_000_000_000;
        }

        times[1] = nanos;
        times[2] = times[0];
        times[3] = times[1];
        if (UtimensAt(AtCurrentDirectory, path, ref times[0], AtSymlinkNoFollow) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{path}: cannot set its modification time (errno {errno})", errno);
        }
    }

    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int ReadWrite = 2;
    private const int Create = 0x40;
    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int LockUnlock = 8;
    private const int WouldBlock = 11;
    private const int AtEmptyPath = 0x1000;
    private const int NonBlocking = 0x800;

    // O_NOFOLLOW is one of the few open flags whose value differs between x86-64 and arm64.
    private static readonly int s_noFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
    private const int GetStatusFlags = 3;
    private const int SetStatusFlags = 4;

    // O_DIRECT differs between x86-64 (040000) and arm64 (0200000).
    private static readonly int s_direct = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;
    private const uint StatxBasicStats = 0x7FF;
    private const int StatxSize = 256;
    private const int FileTypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int DirectoryType = 0x4000;
    private const int SymlinkType = 0xA000;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxDescriptor(int fd, string emptyPath, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensAt(int directoryFd, string path, ref long times, int flags);

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

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenWithMode(string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport(Library, EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(SafeFileHandle fd);

    [LibraryImport(Library, EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(SafeFileHandle fd, int mode, long offset, long length);

    // posix_fadvise returns the error number instead of setting errno.
    [LibraryImport(Library, EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(SafeFileHandle fd, long offset, long length, int advice);

    [LibraryImport(Library, EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long count, uint flags);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlGet(SafeFileHandle fd, int command, int unused);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlSet(SafeFileHandle fd, int command, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// The libc calls the end-to-end tests need and .NET does not expose: lstat with nanosecond mtime (statx, written
/// here independently of the product's own), utimensat, mkfifo and kill(2). Linux only.
/// </summary>
public static partial class Posix
{
    /// <summary>SIGINT: what Ctrl-C sends.</summary>
    public const int SigInt = 2;

    /// <summary>SIGTERM, as systemd and Kubernetes stop a process.</summary>
    public const int SigTerm = 15;

    /// <summary>SIGKILL: cannot be caught.</summary>
    public const int SigKill = 9;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxTypeModeSizeMtime = 0x1 | 0x2 | 0x40 | 0x200;

    /// <summary>Status of <paramref name="path"/> without following a final symlink; throws <see cref="Win32Exception"/>.</summary>
    public static PosixStat LStat(string path)
    {
        // struct statx is 256 bytes with one layout on every architecture.
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxTypeModeSizeMtime, ref buffer[0]) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"statx {path}");
        }

        int mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer[0x1C..]);
        var size = BinaryPrimitives.ReadInt64LittleEndian(buffer[0x28..]);
        var seconds = BinaryPrimitives.ReadInt64LittleEndian(buffer[0x70..]);
        var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer[0x78..]);
        return new PosixStat(mode & 0xF000, mode & 0xFFF, size, (seconds * 1_000_000_000L) + nanoseconds);
    }

    /// <summary>Sets access and modification time of <paramref name="path"/> (not following symlinks) to the nanosecond.</summary>
    public static void SetMtime(string path, long unixNanoseconds)
    {
        var seconds = Math.DivRem(unixNanoseconds, 1_000_000_000L, out var nanoseconds);
        if (nanoseconds < 0)
        {
            seconds--;
            nanoseconds += 1_000_000_000L;
        }

        Span<long> times = [seconds, nanoseconds, seconds, nanoseconds];
        if (UtimensAt(AtFdCwd, path, ref times[0], AtSymlinkNoFollow) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"utimensat {path}");
        }
    }

    /// <summary>Creates a FIFO (named pipe) at <paramref name="path"/>.</summary>
    public static void MakeFifo(string path, int mode)
    {
        if (MkFifo(path, (uint)mode) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"mkfifo {path}");
        }
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>.</summary>
    public static void Kill(int pid, int signal)
    {
        if (KillProcess(pid, signal) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, {signal})");
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensAt(int directoryFd, string path, ref long times, int flags);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillProcess(int pid, int signal);
}

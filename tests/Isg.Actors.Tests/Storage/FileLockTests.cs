using System.Runtime.InteropServices;
using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed partial class FileLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TryTake_ExclusiveHeld_RefusesEitherKindUntilReleased()
    {
        var path = _dir.Combine("lock");
        using (var held = FileLock.TryTake(path, exclusive: true))
        {
            Assert.NotNull(held);
            Assert.Null(FileLock.TryTake(path, exclusive: false));
            Assert.Null(FileLock.TryTake(path, exclusive: true));
        }

        using var again = FileLock.TryTake(path, exclusive: true);
        Assert.NotNull(again);
    }

    [Fact]
    public void TryTake_SharedHeld_AdmitsSharedAndRefusesExclusive()
    {
        var path = _dir.Combine("lock");
        using var first = FileLock.TryTake(path, exclusive: false);
        using var second = FileLock.TryTake(path, exclusive: false);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(FileLock.TryTake(path, exclusive: true));
    }

    // A child process between fork and exec holds a copy of every descriptor (close-on-exec acts only at exec).
    // dup(2) makes the same kind of copy: one more descriptor on the same open file description.
    [Fact]
    public void Dispose_WhileACopyOfTheDescriptorIsStillOpen_ReleasesTheLock()
    {
        var path = _dir.Combine("lock");
        var held = FileLock.TryTake(path, exclusive: true);
        Assert.NotNull(held);
        var copy = Dup(DescriptorOf(path));
        Assert.True(copy >= 0, $"dup failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            held.Dispose();

            using var next = FileLock.TryTake(path, exclusive: false);
            Assert.NotNull(next);
        }
        finally
        {
            _ = Close(copy);
        }
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        var path = _dir.Combine("lock");
        var held = FileLock.TryTake(path, exclusive: true)!;
        held.Dispose();
        held.Dispose();

        using var next = FileLock.TryTake(path, exclusive: true);
        Assert.NotNull(next);
    }

    private static int DescriptorOf(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var link in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (new FileInfo(link).LinkTarget == full)
            {
                return int.Parse(Path.GetFileName(link), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no open descriptor on {full}");
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

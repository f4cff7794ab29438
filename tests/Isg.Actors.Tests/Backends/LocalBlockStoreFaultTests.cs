using System.Diagnostics;
using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Xunit.Abstractions;

namespace Isg.Actors.Tests.Backends;

public sealed class LocalBlockStoreFaultTests(ITestOutputHelper output) : IDisposable
{
    private const int ErrnoNoSpace = 28;

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task PutAsync_StoresUnderTwoCharacterPrefixDirectory()
    {
        using var store = Open();
        var name = NewName();

        await store.PutAsync(name, new byte[] { 1, 2, 3 }, CancellationToken.None);

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(_root.Path, name[..2], name)));
    }

    [Fact]
    public async Task PutAsync_DirectoriesRemovedBehindItsBack_RecreatesThem()
    {
        using var store = Open();
        var first = "ab" + NewName()[2..];
        var second = "ab" + NewName()[2..];
        await store.PutAsync(first, new byte[] { 1 }, CancellationToken.None);
        Directory.Delete(Path.Combine(_root.Path, "ab"), recursive: true);
        foreach (var directory in Directory.EnumerateDirectories(_root.Combine("tmp")))
        {
            Directory.Delete(directory, recursive: true);
        }

        await store.PutAsync(second, new byte[] { 2 }, CancellationToken.None);

        using var owner = await store.GetAsync(second, CancellationToken.None);
        Assert.Equal(new byte[] { 2 }, owner.Memory.ToArray());
    }

    [Fact]
    public void Constructor_StaleTemporaries_AreRemoved()
    {
        var temp = _root.Combine("tmp");
        Directory.CreateDirectory(Path.Combine(temp, "deadinstance"));
        File.WriteAllBytes(Path.Combine(temp, "deadinstance", "1"), new byte[100]);
        File.WriteAllBytes(Path.Combine(temp, "deadinstance.lock"), []);
        Directory.CreateDirectory(Path.Combine(temp, "orphan"));
        File.WriteAllBytes(Path.Combine(temp, "orphan", "2"), new byte[100]);
        File.WriteAllBytes(Path.Combine(temp, "loose-file"), new byte[100]);

        using var store = Open();

        var left = Directory.EnumerateFileSystemEntries(temp).Select(Path.GetFileName).ToList();
        Assert.Equal(2, left.Count);
        Assert.Single(left, n => n!.EndsWith(".lock", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Constructor_AnotherLiveInstance_KeepsItsTemporaries()
    {
        using var first = Open();
        var blocked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var name = NewName();
        first.AfterTempWrite = _ =>
        {
            blocked.SetResult();
            release.Task.Wait();
        };
        var put = Task.Run(() => first.PutAsync(name, new byte[1000], CancellationToken.None));
        await blocked.Task;

        using var second = Open();
        release.SetResult();
        await put;

        using var owner = await second.GetAsync(name, CancellationToken.None);
        Assert.Equal(1000, owner.Memory.Length);
        Assert.Equal(4, Directory.EnumerateFileSystemEntries(_root.Combine("tmp")).Count());
    }

    [Fact]
    public async Task Dispose_RemovesOwnTemporaries()
    {
        var store = Open();
        await store.PutAsync(NewName(), new byte[10], CancellationToken.None);

        store.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Combine("tmp")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a node's store: the 4 MiB and 512 KiB puts below are written with direct I/O
    public async Task PutAsync_DiskFull_ThrowsPermanentAndLeavesNoTemporary(bool directIo)
    {
        // A real full file system when we may mount a 2 MiB tmpfs (root in the sandbox); otherwise the failure is
        // injected through the store's write seam with the same errno.
        using var mountPoint = new TempDirectory();
        var mounted = await TryMountTmpfsAsync(mountPoint.Path);
        output.WriteLine(mounted ? "disk full: real 2 MiB tmpfs" : "disk full: mount not permitted, injected ENOSPC");
        try
        {
            using var store = new LocalBlockStore(new LocalBlockStoreOptions(mountPoint.Path) { DirectIo = directIo });
            output.WriteLine($"direct I/O asked {directIo}, in use {store.UsesDirectIo}");
            if (!mounted)
            {
                store.AfterTempWrite = _ => throw new IOException("No space left on device", ErrnoNoSpace);
            }

            var name = NewName();

            var error = await Assert.ThrowsAsync<BackendException>(() => store.PutAsync(name, new byte[4 * 1024 * 1024], CancellationToken.None));

            Assert.Equal(BackendFailureKind.Permanent, error.Kind);
            Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
            Assert.Equal(BackendFailureKind.Permanent, store.Classify(error));
            Assert.False(await store.ExistsAsync(name, CancellationToken.None));
            Assert.All(Directory.EnumerateFiles(Path.Combine(mountPoint.Path, "tmp"), "*", SearchOption.AllDirectories),
                f => Assert.EndsWith(".lock", f, StringComparison.Ordinal));
            store.AfterTempWrite = null;
            var small = NewName();
            await store.PutAsync(small, new byte[512 * 1024], CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);
            Assert.True(await store.ExistsAsync(small, CancellationToken.None));
        }
        finally
        {
            if (mounted)
            {
                await RunAsync("umount", mountPoint.Path);
            }
        }
    }

    [Fact]
    public async Task PutAsync_InjectedDiskFull_RemovesTheHalfWrittenTemporary()
    {
        using var store = Open();
        string? tempPath = null;
        store.AfterTempWrite = path =>
        {
            tempPath = path;
            Assert.True(File.Exists(path));
            throw new IOException("Disk quota exceeded", 122);
        };

        var error = await Assert.ThrowsAsync<BackendException>(() => store.PutAsync(NewName(), new byte[10_000], CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
        Assert.NotNull(tempPath);
        Assert.False(File.Exists(tempPath));
    }

    [Fact]
    public async Task GetAsync_TruncatedOrCorruptedObject_IsReturnedAsStored()
    {
        using var store = Open();
        var truncated = NewName();
        var corrupted = NewName();
        var data = RandomNumberGenerator.GetBytes(10_000);
        await store.PutAsync(truncated, data, CancellationToken.None);
        await store.PutAsync(corrupted, data, CancellationToken.None);
        File.WriteAllBytes(Path.Combine(_root.Path, truncated[..2], truncated), data[..1234]);
        var flipped = (byte[])data.Clone();
        flipped[5000] ^= 0x40;
        File.WriteAllBytes(Path.Combine(_root.Path, corrupted[..2], corrupted), flipped);

        using var shortOwner = await store.GetAsync(truncated, CancellationToken.None);
        using var flippedOwner = await store.GetAsync(corrupted, CancellationToken.None);

        Assert.True(shortOwner.Memory.Span.SequenceEqual(data.AsSpan(0, 1234)));
        Assert.True(flippedOwner.Memory.Span.SequenceEqual(flipped));
    }

    [Theory]
    [InlineData(LocalDurability.PerPut)]
    [InlineData(LocalDurability.DeferredFsync)]
    [InlineData(LocalDurability.SyncFs)]
    public async Task FlushAsync_EachDurabilityMode_DataReadableByFreshInstance(LocalDurability durability)
    {
        var options = new LocalBlockStoreOptions(_root.Path) { Durability = durability };
        var names = Enumerable.Range(0, 40).Select(_ => NewName()).ToList();
        using (var store = new LocalBlockStore(options))
        {
            await Task.WhenAll(names.Select((n, i) => Task.Run(() => store.PutAsync(n, new byte[i * 100], CancellationToken.None))));
            await store.DeleteAsync(names[0], CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);
        }

        using var fresh = new LocalBlockStore(options);
        for (var i = 1; i < names.Count; i++)
        {
            using var owner = await fresh.GetAsync(names[i], CancellationToken.None);
            Assert.Equal(i * 100, owner.Memory.Length);
        }

        Assert.False(await fresh.ExistsAsync(names[0], CancellationToken.None));
    }

    [Fact]
    public async Task FlushAsync_ConcurrentFlushes_BothComplete()
    {
        using var store = new LocalBlockStore(new LocalBlockStoreOptions(_root.Path) { Durability = LocalDurability.DeferredFsync });
        for (var i = 0; i < 50; i++)
        {
            await store.PutAsync(NewName(), new byte[100], CancellationToken.None);
        }

        await Task.WhenAll(store.FlushAsync(CancellationToken.None), store.FlushAsync(CancellationToken.None));

        await store.FlushAsync(CancellationToken.None);
        var objects = Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories)
            .Count(f => !Path.GetRelativePath(_root.Path, f).StartsWith("tmp/", StringComparison.Ordinal));
        Assert.Equal(50, objects);
    }

    [Fact]
    public async Task ListAsync_IgnoresForeignFiles()
    {
        using var store = Open();
        var name = NewName();
        await store.PutAsync(name, new byte[1], CancellationToken.None);
        File.WriteAllText(Path.Combine(_root.Path, name[..2], "README"), "not an object");
        File.WriteAllText(Path.Combine(_root.Path, name[..2], "ffffffffffffffffffff"), "wrong prefix directory");
        Directory.CreateDirectory(_root.Combine("XY"));
        File.WriteAllText(_root.Combine("XY", "xyxyxyxyxyxyxyxyxyxy"), "directory is not a prefix");

        var names = new List<string>();
        await foreach (var listed in store.ListAsync(CancellationToken.None))
        {
            names.Add(listed);
        }

        Assert.Equal([name], names);
    }

    [Fact]
    public void Classify_MapsFileSystemErrors()
    {
        using var store = Open();

        Assert.Equal(BackendFailureKind.NotFound, store.Classify(new FileNotFoundException()));
        Assert.Equal(BackendFailureKind.NotFound, store.Classify(new DirectoryNotFoundException()));
        Assert.Equal(BackendFailureKind.Unauthorized, store.Classify(new UnauthorizedAccessException()));
        Assert.Equal(BackendFailureKind.Permanent, store.Classify(new IOException("full", ErrnoNoSpace)));
        Assert.Equal(BackendFailureKind.Permanent, store.Classify(new IOException("read-only", 30)));
        Assert.Equal(BackendFailureKind.Transient, store.Classify(new IOException("interrupted", 4)));
        Assert.Equal(BackendFailureKind.Unauthorized, store.Classify(new BackendException(BackendFailureKind.Unauthorized, "x", "y")));
        Assert.Equal(BackendFailureKind.Permanent, store.Classify(new InvalidOperationException()));
    }

    [Fact]
    public void Options_Invalid_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new LocalBlockStore(new LocalBlockStoreOptions(" ")));
        Assert.Throws<ArgumentException>(() => new LocalBlockStore(new LocalBlockStoreOptions(_root.Path) { Name = "" }));
        Assert.Throws<ArgumentException>(() => new LocalBlockStore(new LocalBlockStoreOptions(_root.Path) { Durability = (LocalDurability)9 }));
    }

    private LocalBlockStore Open() => new(new LocalBlockStoreOptions(_root.Path));

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static async Task<bool> TryMountTmpfsAsync(string path) =>
        OperatingSystem.IsLinux() && await RunAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", path) == 0;

    private static async Task<int> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The program is not installed: treat like a refusal.
            return -1;
        }
    }
}

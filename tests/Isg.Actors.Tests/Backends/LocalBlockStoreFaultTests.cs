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
    public async Task PutAsync_SmallObjectInTheIndex_LargeObjectsAlignedInOnePack()
    {
        using var store = Open();
        var small = NewName();
        var large = Enumerable.Range(0, 3).Select(_ => NewName()).ToList();

        await store.PutAsync(small, new byte[] { 1, 2, 3 }, CancellationToken.None);
        foreach (var name in large)
        {
            await store.PutAsync(name, RandomNumberGenerator.GetBytes(300_001), CancellationToken.None);
        }

        Assert.True(store.Locate(small)!.IsInline);
        var places = large.Select(n => store.Locate(n)!).ToList();
        Assert.Single(places.Select(p => p.Path).Distinct());
        Assert.All(places, p => Assert.Equal(0, p.Offset % 4096));
        Assert.Equal(3, places.Select(p => p.Offset).Distinct().Count());
        Assert.DoesNotContain(Directory.EnumerateDirectories(_root.Path), d => Path.GetFileName(d).Length == 2);
    }

    [Fact]
    public async Task ObjectOfTheOneFilePerObjectLayout_IsReadListedAndDeleted()
    {
        var legacy = "ab" + NewName()[2..];
        Directory.CreateDirectory(_root.Combine("ab"));
        File.WriteAllBytes(_root.Combine("ab", legacy), new byte[] { 7, 8, 9 });
        using var store = Open();
        var packed = NewName();
        await store.PutAsync(packed, new byte[1], CancellationToken.None);

        using (var owner = await store.GetAsync(legacy, CancellationToken.None))
        {
            Assert.Equal(new byte[] { 7, 8, 9 }, owner.Memory.ToArray());
        }

        Assert.Equal(new[] { packed, legacy }.Order(StringComparer.Ordinal), (await ListAsync(store)).Order(StringComparer.Ordinal));
        await store.DeleteAsync(legacy, CancellationToken.None);
        Assert.False(File.Exists(_root.Combine("ab", legacy)));
        Assert.False(await store.ExistsAsync(legacy, CancellationToken.None));
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
        first.AfterWrite = _ =>
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
                store.AfterWrite = _ => throw new IOException("No space left on device", ErrnoNoSpace);
            }

            var name = NewName();

            var error = await Assert.ThrowsAsync<BackendException>(() => store.PutAsync(name, new byte[4 * 1024 * 1024], CancellationToken.None));

            Assert.Equal(BackendFailureKind.Permanent, error.Kind);
            Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
            Assert.Equal(BackendFailureKind.Permanent, store.Classify(error));
            Assert.False(await store.ExistsAsync(name, CancellationToken.None));
            Assert.All(Directory.EnumerateFiles(Path.Combine(mountPoint.Path, "tmp"), "*", SearchOption.AllDirectories),
                f => Assert.EndsWith(".lock", f, StringComparison.Ordinal));
            store.AfterWrite = null;
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
    public async Task PutAsync_InjectedDiskFull_GivesTheWrittenRangeBackAndRecordsNothing()
    {
        using var store = Open();
        store.AfterWrite = _ => throw new IOException("Disk quota exceeded", 122);
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => store.PutAsync(name, RandomNumberGenerator.GetBytes(1 << 20), CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
        Assert.Null(store.Locate(name));
        var pack = Assert.Single(Directory.EnumerateFiles(_root.Combine(LocalBlockStore.PacksDirectoryName)));
        // The random bytes were written, then the range was punched out: it reads as zeros (the pack, allocated ahead,
        // is longer than the range).
        var range = new byte[1 << 20];
        using (var file = File.OpenRead(pack))
        {
            file.ReadExactly(range);
        }

        Assert.All(range, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task GetAsync_CorruptedObject_IsReturnedAsStored_TruncatedPackFailsTyped()
    {
        using var store = Open();
        var small = NewName();
        var large = NewName();
        var truncated = NewName();
        var data = RandomNumberGenerator.GetBytes(300_000);
        await store.PutAsync(small, data[..10_000], CancellationToken.None);
        await store.PutAsync(large, data, CancellationToken.None);
        await store.PutAsync(truncated, data, CancellationToken.None);
        byte[] Flip(byte[] bytes)
        {
            bytes[5000] ^= 0x40;
            return bytes;
        }

        Assert.True(store.Tamper(small, Flip));
        Assert.True(store.Tamper(large, Flip));
        Assert.True(store.Tamper(truncated, bytes => bytes[..1234]));

        using var smallOwner = await store.GetAsync(small, CancellationToken.None);
        using var largeOwner = await store.GetAsync(large, CancellationToken.None);
        var error = await Assert.ThrowsAsync<BackendException>(() => store.GetAsync(truncated, CancellationToken.None));

        Assert.True(smallOwner.Memory.Span.SequenceEqual(Flip(data[..10_000])));
        Assert.True(largeOwner.Memory.Span.SequenceEqual(Flip((byte[])data.Clone())));
        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("ends before", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LocalDurability.PerPut)]
    [InlineData(LocalDurability.OnFlush)]
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
        using var store = Open();
        for (var i = 0; i < 50; i++)
        {
            await store.PutAsync(NewName(), new byte[i % 2 == 0 ? 100 : 300_000], CancellationToken.None);
        }

        await Task.WhenAll(store.FlushAsync(CancellationToken.None), store.FlushAsync(CancellationToken.None));

        await store.FlushAsync(CancellationToken.None);
        Assert.Equal(50, (await ListAsync(store)).Count);
    }

    [Fact]
    public async Task ListAsync_IgnoresForeignFiles()
    {
        using var store = Open();
        var name = NewName();
        await store.PutAsync(name, new byte[1], CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(_root.Path, name[..2]));
        File.WriteAllText(Path.Combine(_root.Path, name[..2], "README"), "not an object");
        // A well-formed name filed under another prefix; the prefix must differ from the random name's own.
        var otherPrefix = name[..2] == "ff" ? "00" : "ff";
        File.WriteAllText(Path.Combine(_root.Path, name[..2], string.Concat(Enumerable.Repeat(otherPrefix, 10))), "wrong prefix directory");
        Directory.CreateDirectory(_root.Combine("XY"));
        File.WriteAllText(_root.Combine("XY", "xyxyxyxyxyxyxyxyxyxy"), "directory is not a prefix");

        Assert.Equal([name], await ListAsync(store));
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

    private static async Task<List<string>> ListAsync(LocalBlockStore store)
    {
        var names = new List<string>();
        await foreach (var listed in store.ListAsync(CancellationToken.None))
        {
            names.Add(listed);
        }

        return names;
    }

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

using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Backends;

/// <summary>
/// Large objects bypass the page cache (direct I/O); small ones, and every object with DirectIo off, go through it.
/// Residency is read with mincore(2) on a mapping of the stored file, which reports without faulting pages in.
/// </summary>
public sealed partial class LocalBlockStoreDirectIoTests : IDisposable
{
    private const int Large = (1 << 20) + 123;
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task PutAsync_LargeObject_IsWrittenPastThePageCache()
    {
        using var store = Open(directIo: true);
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(Large);

        await store.PutAsync(name, data, CancellationToken.None);

        Assert.True(store.UsesDirectIo);
        Assert.Equal(0, ResidentPages(PathOf(name)));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
        Assert.Equal(0, ResidentPages(PathOf(name)));
        Assert.Equal(Large, new FileInfo(PathOf(name)).Length);
    }

    [Fact]
    public async Task PutAsync_DirectIoOff_LargeObjectStaysInThePageCache()
    {
        using var store = Open(directIo: false);
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(Large);

        await store.PutAsync(name, data, CancellationToken.None);

        Assert.False(store.UsesDirectIo);
        Assert.Equal(PagesOf(Large), ResidentPages(PathOf(name)));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task PutAsync_SmallObject_GoesThroughThePageCache()
    {
        using var store = Open(directIo: true);
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(10_000);

        await store.PutAsync(name, data, CancellationToken.None);

        Assert.Equal(PagesOf(data.Length), ResidentPages(PathOf(name)));
    }

    [Fact]
    public async Task GetAsync_LargeObjectWrittenBuffered_ReadsTheCurrentBytes()
    {
        // Written by another instance through the page cache (dirty pages not yet on disk): a direct read must
        // still see them, which the kernel guarantees by writing the range back first.
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(Large);
        using (var buffered = Open(directIo: false))
        {
            await buffered.PutAsync(name, data, CancellationToken.None);
        }

        using var direct = Open(directIo: true);
        using var back = await direct.GetAsync(name, CancellationToken.None);

        Assert.True(back.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task PutAsync_LargeObjectInjectedFailure_LeavesNoTemporaryAndNoObject()
    {
        using var store = Open(directIo: true);
        store.AfterTempWrite = _ => throw new IOException("injected");
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => store.PutAsync(name, new byte[Large], CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Contains("injected", error.Message);
        Assert.False(File.Exists(PathOf(name)));
        Assert.All(Directory.EnumerateDirectories(_root.Combine("tmp")), d => Assert.Empty(Directory.EnumerateFiles(d)));
    }

    private LocalBlockStore Open(bool directIo) => new(new LocalBlockStoreOptions(_root.Path) { DirectIo = directIo });

    private string PathOf(string name) => _root.Combine(name[..2], name);

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static int PagesOf(int length) => (length + Environment.SystemPageSize - 1) / Environment.SystemPageSize;

    private static int ResidentPages(string path)
    {
        var length = new FileInfo(path).Length;
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var vector = new byte[PagesOf((int)length)];
        var handle = view.SafeMemoryMappedViewHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            Assert.Equal(0, MinCore(handle.DangerousGetHandle(), (nuint)length, vector));
        }
        finally
        {
            handle.DangerousRelease();
        }

        return vector.Count(page => (page & 1) != 0);
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int MinCore(nint address, nuint length, [Out] byte[] vector);
}

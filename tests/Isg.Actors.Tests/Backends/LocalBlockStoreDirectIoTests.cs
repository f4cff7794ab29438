using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends;

/// <summary>
/// Large objects bypass the page cache (direct I/O); small ones, and every object with DirectIo off, go through it.
/// Residency is read with mincore(2) on a mapping of the stored file, which reports without faulting pages in.
/// </summary>
public sealed class LocalBlockStoreDirectIoTests : IDisposable
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
        Assert.Equal(0, PageCache.ResidentPages(PathOf(name)));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
        Assert.Equal(0, PageCache.ResidentPages(PathOf(name)));
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
        Assert.Equal(PageCache.PagesOf(Large), PageCache.ResidentPages(PathOf(name)));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task TryUseDirectIo_OnAnOpenStore_LaterLargePutsBypassThePageCache()
    {
        using var store = Open(directIo: false);
        var before = NewName();
        await store.PutAsync(before, new byte[Large], CancellationToken.None);

        Assert.True(store.TryUseDirectIo());
        var after = NewName();
        await store.PutAsync(after, new byte[Large], CancellationToken.None);

        Assert.True(store.UsesDirectIo);
        Assert.Equal(PageCache.PagesOf(Large), PageCache.ResidentPages(PathOf(before)));
        Assert.Equal(0, PageCache.ResidentPages(PathOf(after)));
    }

    [Fact]
    public async Task PutAsync_SmallObject_GoesThroughThePageCache()
    {
        using var store = Open(directIo: true);
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(10_000);

        await store.PutAsync(name, data, CancellationToken.None);

        Assert.Equal(PageCache.PagesOf(data.Length), PageCache.ResidentPages(PathOf(name)));
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

    [Fact]
    public async Task FlushAsync_SyncFsStoreWithOnlyDirectPuts_FsyncsThemInsteadOfTheWholeFileSystem()
    {
        var barriers = new List<string>();
        var names = Enumerable.Range(0, 3).Select(_ => NewName()).ToList();
        using (var store = Open(directIo: true))
        {
            store.BarrierChosen = barriers.Add;
            foreach (var name in names)
            {
                await store.PutAsync(name, RandomNumberGenerator.GetBytes(Large), CancellationToken.None);
            }

            await store.FlushAsync(CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);

            Assert.Equal(LocalDurability.SyncFs, store.Durability);
        }

        Assert.Equal(["fsync"], barriers);
        using var fresh = Open(directIo: false);
        foreach (var name in names)
        {
            using var owner = await fresh.GetAsync(name, CancellationToken.None);
            Assert.Equal(Large, owner.Memory.Length);
        }
    }

    [Fact]
    public async Task FlushAsync_SyncFsStoreWithABufferedPutToo_SyncsTheFileSystemAndForgetsTheDirectOnes()
    {
        using var store = Open(directIo: true);
        var barriers = new List<string>();
        store.BarrierChosen = barriers.Add;
        await store.PutAsync(NewName(), new byte[Large], CancellationToken.None);
        await store.PutAsync(NewName(), new byte[1000], CancellationToken.None);

        await store.FlushAsync(CancellationToken.None);
        await store.FlushAsync(CancellationToken.None);

        // syncfs covered the direct put: the second flush has nothing left to do.
        Assert.Equal(["syncfs"], barriers);
    }

    private LocalBlockStore Open(bool directIo) => new(new LocalBlockStoreOptions(_root.Path) { DirectIo = directIo });

    private string PathOf(string name) => _root.Combine(name[..2], name);

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

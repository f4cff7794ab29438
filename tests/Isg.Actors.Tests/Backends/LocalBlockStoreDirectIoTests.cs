using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.TestKit;

namespace Isg.Actors.Tests.Backends;

/// <summary>
/// Large objects bypass the page cache (direct I/O); small ones, and every object with DirectIo off, go through it.
/// Residency is read with mincore(2) on a mapping of the object's range of its pack, which reports without faulting pages in.
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
        Assert.Equal(0, Resident(store, name));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
        Assert.Equal(0, Resident(store, name));
        Assert.Equal(Large, store.Locate(name)!.Length);
    }

    [Fact]
    public async Task PutAsync_DirectIoOff_LargeObjectStaysInThePageCache()
    {
        using var store = Open(directIo: false);
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(Large);

        await store.PutAsync(name, data, CancellationToken.None);

        Assert.False(store.UsesDirectIo);
        Assert.Equal(PageCache.PagesOf(Large), Resident(store, name));
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
        Assert.Equal(PageCache.PagesOf(Large), Resident(store, before));
        Assert.Equal(0, Resident(store, after));
    }

    [Fact]
    public async Task GetThroughPageCacheAsync_LargeObjectWrittenDirect_ReadsItIntoThePageCache()
    {
        using var store = Open(directIo: true);
        var (name, data) = await PutRandomAsync(store, Large);
        Assert.Equal(0, Resident(store, name));

        using var back = await store.GetThroughPageCacheAsync(name, CancellationToken.None);

        Assert.True(back.Memory.Span.SequenceEqual(data));
        Assert.Equal(PageCache.PagesOf(Large), Resident(store, name));
        using var again = await store.GetThroughPageCacheAsync(name, CancellationToken.None);
        Assert.True(again.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task GetThroughPageCacheAsync_ObjectFollowedByAnother_CachesNothingBeyondIt()
    {
        // No readahead: what follows an object in its pack may be a range allocated ahead that a direct write is
        // about to fill, and pages cached from there would be stale.
        using var store = Open(directIo: true);
        var (first, _) = await PutRandomAsync(store, Large);
        var (second, _) = await PutRandomAsync(store, Large);
        Assert.Equal(store.Locate(first)!.Path, store.Locate(second)!.Path);

        using var back = await store.GetThroughPageCacheAsync(first, CancellationToken.None);

        Assert.Equal(PageCache.PagesOf(Large), Resident(store, first));
        Assert.Equal(0, Resident(store, second));
    }

    [Fact]
    public async Task GetThroughPageCacheAsync_MissingOrSmallObject_AnswersAsGetAsync()
    {
        using var store = Open(directIo: true);
        var (small, data) = await PutRandomAsync(store, 10_000);

        using var back = await store.GetThroughPageCacheAsync(small, CancellationToken.None);

        Assert.True(back.Memory.Span.SequenceEqual(data));
        var missing = await Assert.ThrowsAsync<BackendException>(() => store.GetThroughPageCacheAsync(NewName(), CancellationToken.None));
        Assert.Equal(BackendFailureKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task GetThroughPageCacheAsync_PackCutShort_FailsTypedAsPermanent()
    {
        using var store = Open(directIo: true);
        var (name, _) = await PutRandomAsync(store, Large);
        Assert.True(store.Tamper(name, bytes => bytes[..1234]));

        var error = await Assert.ThrowsAsync<BackendException>(() => store.GetThroughPageCacheAsync(name, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Permanent, error.Kind);
        Assert.Contains("ends before", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_SmallObject_IsKeptInTheIndex()
    {
        using var store = Open(directIo: true);
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(10_000);

        await store.PutAsync(name, data, CancellationToken.None);

        Assert.True(store.Locate(name)!.IsInline);
        Assert.False(Directory.Exists(_root.Combine(LocalBlockStore.PacksDirectoryName)));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
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
    public async Task PutAsync_LargeObjectInjectedFailure_LeavesNoObject()
    {
        using var store = Open(directIo: true);
        store.AfterWrite = _ => throw new IOException("injected");
        var name = NewName();

        var error = await Assert.ThrowsAsync<BackendException>(() => store.PutAsync(name, new byte[Large], CancellationToken.None));

        Assert.Equal(BackendFailureKind.Transient, error.Kind);
        Assert.Contains("injected", error.Message);
        Assert.Null(store.Locate(name));
        Assert.False(await store.ExistsAsync(name, CancellationToken.None));
        Assert.All(Directory.EnumerateDirectories(_root.Combine("tmp")), d => Assert.Empty(Directory.EnumerateFiles(d)));
    }

    [Fact]
    public async Task FlushAsync_AfterPuts_SyncsOnceAndTheObjectsSurviveInAFreshInstance()
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

            await store.PutAsync(NewName(), new byte[1000], CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);

            Assert.Equal(LocalDurability.OnFlush, store.Durability);
        }

        // The second flush found nothing new to sync.
        Assert.Equal(["fsync"], barriers);
        using var fresh = Open(directIo: false);
        foreach (var name in names)
        {
            using var owner = await fresh.GetAsync(name, CancellationToken.None);
            Assert.Equal(Large, owner.Memory.Length);
        }
    }

    private LocalBlockStore Open(bool directIo) => new(new LocalBlockStoreOptions(_root.Path) { DirectIo = directIo });

    // Resident pages of the object's range in its pack.
    private static int Resident(LocalBlockStore store, string name) =>
        store.Locate(name) is { IsInline: false } where ? PageCache.ResidentPages(where.Path, where.Offset, where.Length) : throw new InvalidOperationException(name + " is not packed");

    private static async Task<(string Name, byte[] Data)> PutRandomAsync(LocalBlockStore store, int length)
    {
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(length);
        await store.PutAsync(name, data, CancellationToken.None);
        return (name, data);
    }

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

using System.Security.Cryptography;
using Isg.Actors.Backends.Local;
using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Backends;

/// <summary>Pack files of the local store: allocation ahead, compaction after deletes, and packs of other instances.</summary>
public sealed class LocalBlockStorePackTests : IDisposable
{
    private const int Large = 300_000;
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task CompactAsync_MostlyDeadPackOfAStoppedInstance_MovesTheLiveObjectAndDeletesThePack()
    {
        var names = Enumerable.Range(0, 4).Select(_ => NewName()).ToList();
        var data = names.ToDictionary(n => n, _ => RandomNumberGenerator.GetBytes(Large));
        string oldPack;
        using (var writer = Open())
        {
            foreach (var name in names)
            {
                await writer.PutAsync(name, data[name], CancellationToken.None);
            }

            await writer.FlushAsync(CancellationToken.None);
            oldPack = writer.Locate(names[0])!.Path;
        }

        using var store = Open();
        foreach (var name in names.Skip(1))
        {
            await store.DeleteAsync(name, CancellationToken.None);
        }

        var compaction = await store.CompactAsync(0.5, CancellationToken.None);

        Assert.Equal(1, compaction.PacksRemoved);
        Assert.Equal(1, compaction.ObjectsMoved);
        Assert.True(compaction.BytesReclaimed >= 3 * Large, $"reclaimed {compaction.BytesReclaimed}");
        Assert.False(File.Exists(oldPack));
        Assert.NotEqual(oldPack, store.Locate(names[0])!.Path);
        using (var back = await store.GetAsync(names[0], CancellationToken.None))
        {
            Assert.True(back.Memory.Span.SequenceEqual(data[names[0]]));
        }

        // The move is durable: a fresh instance finds the object where compaction put it.
        using var fresh = Open();
        using var again = await fresh.GetAsync(names[0], CancellationToken.None);
        Assert.True(again.Memory.Span.SequenceEqual(data[names[0]]));
        Assert.False(await fresh.ExistsAsync(names[1], CancellationToken.None));
    }

    [Fact]
    public async Task CompactAsync_PackOfAnInstanceStillRunning_IsLeftAlone()
    {
        using var running = Open();
        var kept = NewName();
        var dead = NewName();
        await running.PutAsync(kept, RandomNumberGenerator.GetBytes(Large), CancellationToken.None);
        await running.PutAsync(dead, RandomNumberGenerator.GetBytes(Large), CancellationToken.None);
        await running.DeleteAsync(dead, CancellationToken.None);
        var pack = running.Locate(kept)!.Path;

        using var other = Open();
        var compaction = await other.CompactAsync(1.0, CancellationToken.None);

        Assert.Equal(0, compaction.PacksRemoved);
        Assert.Equal(pack, running.Locate(kept)!.Path);
        Assert.True(File.Exists(pack));
    }

    [Fact]
    public async Task CompactAsync_PackWithNoLiveObject_IsDeletedWithoutCopying()
    {
        var name = NewName();
        using (var writer = Open())
        {
            await writer.PutAsync(name, RandomNumberGenerator.GetBytes(Large), CancellationToken.None);
            await writer.DeleteAsync(name, CancellationToken.None);
            await writer.FlushAsync(CancellationToken.None);
        }

        using var store = Open();
        var compaction = await store.CompactAsync(0.5, CancellationToken.None);

        Assert.Equal((1, 0), (compaction.PacksRemoved, compaction.ObjectsMoved));
        Assert.Empty(Directory.EnumerateFiles(_root.Combine(LocalBlockStore.PacksDirectoryName)));
    }

    [Fact]
    public async Task Put_WithRoomOnTheDisk_PackIsAllocatedWholeAndClosingGivesBackWhatItsRecordsDoNotUse()
    {
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(Large);
        string pack;
        using (var store = Open(preallocateMinimumFree: 0))
        {
            await store.PutAsync(name, data, CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);
            pack = store.Locate(name)!.Path;

            Assert.Equal(PackAppender.PackLimit, new FileInfo(pack).Length);
            using var back = await store.GetAsync(name, CancellationToken.None);
            Assert.True(back.Memory.Span.SequenceEqual(data));
        }

        Assert.Equal(AlignedBuffer.PaddedLength(Large), new FileInfo(pack).Length);
        using var fresh = Open();
        using var again = await fresh.GetAsync(name, CancellationToken.None);
        Assert.True(again.Memory.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task Put_DiskShortOfTheMinimumFree_PackGrowsByItsRecordsOnly()
    {
        using var store = Open(preallocateMinimumFree: long.MaxValue);
        var name = NewName();

        await store.PutAsync(name, RandomNumberGenerator.GetBytes(Large), CancellationToken.None);

        // Up to the record's end (a buffered write) or its aligned end (a direct one).
        Assert.InRange(new FileInfo(store.Locate(name)!.Path).Length, Large, AlignedBuffer.PaddedLength(Large));
    }

    [Fact]
    public async Task Put_ManyAtOnceWithDirectIoIntoAnAllocatedPack_EachReadsBackAsWritten()
    {
        // Concurrent direct writes inside the allocated size run side by side in the file system (no exclusive lock):
        // each must still land at its own range.
        var data = Enumerable.Range(0, 48).ToDictionary(_ => NewName(), i => RandomNumberGenerator.GetBytes(Large + (i * 4099)));
        string pack;
        using (var store = new LocalBlockStore(new LocalBlockStoreOptions(_root.Path) { DirectIo = true, PreallocateMinimumFree = 0 }))
        {
            await Task.WhenAll(data.Select(d => Task.Run(() => store.PutAsync(d.Key, d.Value, CancellationToken.None))));
            await store.FlushAsync(CancellationToken.None);
            pack = store.Locate(data.Keys.First())!.Path;
            Assert.All(data.Keys, n => Assert.Equal(pack, store.Locate(n)!.Path));
            foreach (var (name, bytes) in data)
            {
                using var back = await store.GetAsync(name, CancellationToken.None);
                Assert.True(back.Memory.Span.SequenceEqual(bytes), name);
            }
        }

        Assert.Equal(data.Values.Sum(b => (long)AlignedBuffer.PaddedLength(b.Length)), new FileInfo(pack).Length);
    }

    [Fact]
    public async Task CompactAsync_PackLeftAllocatedByAStoppedInstance_CountsTheUnusedTailAsDeadAndReclaimsIt()
    {
        var name = NewName();
        var data = RandomNumberGenerator.GetBytes(Large);
        string oldPack;
        using (var writer = Open())
        {
            await writer.PutAsync(name, data, CancellationToken.None);
            await writer.FlushAsync(CancellationToken.None);
            oldPack = writer.Locate(name)!.Path;
        }

        // What an instance that was killed leaves: its pack still at the size allocated ahead.
        using (var file = new FileStream(oldPack, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(PackAppender.PackLimit);
        }

        using var store = Open();
        var compaction = await store.CompactAsync(0.5, CancellationToken.None);

        Assert.Equal((1, 1), (compaction.PacksRemoved, compaction.ObjectsMoved));
        Assert.True(compaction.BytesReclaimed >= PackAppender.PackLimit - AlignedBuffer.PaddedLength(Large), $"reclaimed {compaction.BytesReclaimed}");
        Assert.False(File.Exists(oldPack));
        using var back = await store.GetAsync(name, CancellationToken.None);
        Assert.True(back.Memory.Span.SequenceEqual(data));
    }

    private LocalBlockStore Open() => new(new LocalBlockStoreOptions(_root.Path));

    private LocalBlockStore Open(long preallocateMinimumFree) =>
        new(new LocalBlockStoreOptions(_root.Path) { PreallocateMinimumFree = preallocateMinimumFree });

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

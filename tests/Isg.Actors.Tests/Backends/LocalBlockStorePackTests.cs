using System.Security.Cryptography;
using Isg.Actors.Backends.Local;

namespace Isg.Actors.Tests.Backends;

/// <summary>Pack files of the local store: compaction after deletes, and packs of other instances.</summary>
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

    private LocalBlockStore Open() => new(new LocalBlockStoreOptions(_root.Path));

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

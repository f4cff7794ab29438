using Isg.Actors.Backends;
using Isg.Actors.GarbageCollection;
using Isg.Actors.Ingest;

namespace Isg.Actors.Tests.GarbageCollection;

/// <summary>Stripe repack: 6 local backends, 4+2 redundancy, files below the smallest chunk (one block each).</summary>
public sealed class GarbageCollectorRepackTests : IAsyncLifetime
{
    private GcHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = new GcHarness(extraBackends: 5, redundancy: "4+2");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    // Adds the files in one add, so that they share stripes.
    private async Task<Dictionary<string, byte[]>> AddTogetherAsync(string dir, int count, int seed)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = $"{dir}/f{i}";
            files[name] = TestFiles.Random(1_000, seed: seed + i);
            TestFiles.Write(_harness.Local(name), files[name]);
        }

        await _harness.Node.AddAsync([new IngestSource(_harness.Local(dir), "src/" + dir)], new IngestOptions(), null, CancellationToken.None)
            .WaitAsync(GcHarness.Within);
        return files;
    }

    private (long Stripe, int Index) StripeOf(string name)
    {
        using var reader = _harness.Node.Repository.Catalog.CreateReader();
        var entry = reader.GetFile("src/" + name)!;
        var block = Assert.Single(reader.GetFileBlocks(entry.Id));
        return reader.GetBlockStripe(block.Id) ?? throw new InvalidOperationException(name + " is in no stripe");
    }

    private Isg.Actors.Catalog.StripeLayout Stripe(long id)
    {
        using var reader = _harness.Node.Repository.Catalog.CreateReader();
        return reader.GetStripe(id) ?? throw new InvalidOperationException($"stripe {id} is gone");
    }

    private bool StripeExists(long id)
    {
        using var reader = _harness.Node.Repository.Catalog.CreateReader();
        return reader.GetStripe(id) is not null;
    }

    private async Task<long> StoredBytesAsync()
    {
        long bytes = 0;
        foreach (var backend in _harness.Node.Repository.Backends.All)
        {
            await foreach (var name in backend.ListAsync(CancellationToken.None))
            {
                using var data = await backend.GetAsync(name, CancellationToken.None);
                bytes += data.Memory.Length;
            }
        }

        return bytes;
    }

    private async Task DeleteEverywhereAsync(string objectName)
    {
        foreach (var backend in _harness.Node.Repository.Backends.All)
        {
            await backend.DeleteAsync(objectName, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Collect_StripeThreeQuartersDead_RepacksTheLiveBlockIntoANewStripeThatVerifies()
    {
        var files = await AddTogetherAsync("d", 4, seed: 40);
        var old = Stripe(StripeOf("d/f0").Stripe);
        Assert.Equal((4, 2), (old.K, old.M));
        Assert.All(files.Keys, name => Assert.Equal(old.Id, StripeOf(name).Stripe));
        var oldParity = old.Shards.Where(s => s.IsParity).SelectMany(s => s.Locations).ToList();
        foreach (var name in new[] { "d/f1", "d/f2", "d/f3" })
        {
            await _harness.Node.RemoveAsync("src/" + name, recursive: false, CancellationToken.None);
        }

        var before = await StoredBytesAsync();

        var report = await _harness.CollectAsync();

        Assert.Equal(1, report.StripesRepacked);
        Assert.Equal(3, report.BlocksDeleted);
        Assert.Equal(0, report.BlocksKeptInLiveStripes);
        Assert.True(report.BytesWritten > 0);
        Assert.False(StripeExists(old.Id));
        var objects = await _harness.ObjectsAsync();
        Assert.All(oldParity, p => Assert.DoesNotContain(p.ObjectName, objects));
        Assert.Empty(await _harness.UnknownObjectsAsync());
        var after = await StoredBytesAsync();
        Assert.True(after < before, $"{after} bytes stored after gc, {before} before");
        Assert.Equal(before - after, report.BytesReclaimed);

        var (stripeId, index) = StripeOf("d/f0");
        var repacked = Stripe(stripeId);
        Assert.Equal((1, 2, 0), (repacked.K, repacked.M, index));
        var backends = repacked.Shards.SelectMany(s => s.Locations.Select(l => l.Backend)).ToList();
        Assert.Equal(3, backends.Count);
        Assert.Equal(3, backends.Distinct().Count());
        Assert.Equal(files["d/f0"], await _harness.RestoreAsync("d/f0"));

        // The new parity alone rebuilds the block once its own object is gone.
        await DeleteEverywhereAsync(Assert.Single(_harness.ObjectsOf("d/f0")));
        Assert.Equal(files["d/f0"], await _harness.RestoreAsync("d/f0"));
    }

    [Fact]
    public async Task Collect_LiveBlockDamaged_RepackRebuildsItFromTheOldStripeInsteadOfCopyingIt()
    {
        var files = await AddTogetherAsync("d", 4, seed: 50);
        foreach (var name in new[] { "d/f0", "d/f1", "d/f2" })
        {
            await _harness.Node.RemoveAsync("src/" + name, recursive: false, CancellationToken.None);
        }

        var live = Stripe(StripeOf("d/f3").Stripe).Shards.Single(s => !s.IsParity && s.Index == StripeOf("d/f3").Index);
        var (backendName, objectName) = Assert.Single(live.Locations);
        var backend = _harness.Node.Repository.Backends.Get(backendName);
        byte[] damaged;
        using (var bytes = await backend.GetAsync(objectName, CancellationToken.None))
        {
            damaged = bytes.Memory.ToArray();
        }

        damaged[damaged.Length / 2] ^= 0x5A;
        await backend.PutAsync(objectName, damaged, CancellationToken.None);

        var report = await _harness.CollectAsync();

        Assert.Equal(1, report.StripesRepacked);
        var repacked = Stripe(StripeOf("d/f3").Stripe);
        var data = repacked.Shards.Single(s => !s.IsParity);
        var (newBackend, newObject) = Assert.Single(data.Locations);
        using (var stored = await _harness.Node.Repository.Backends.Get(newBackend).GetAsync(newObject, CancellationToken.None))
        {
            Assert.NotEqual(damaged, stored.Memory.ToArray());
        }

        // The parity was computed over the good bytes: with the data object gone, it rebuilds the original.
        await DeleteEverywhereAsync(newObject);
        Assert.Equal(files["d/f3"], await _harness.RestoreAsync("d/f3"));
    }

    [Fact]
    public async Task Collect_SeveralUndersizedStripes_MergesThemIntoOne()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            files[$"s{i}"] = TestFiles.Random(1_000, seed: 60 + i);
            await _harness.AddAsync($"s{i}", files[$"s{i}"]);
        }

        var olds = files.Keys.Select(n => StripeOf(n).Stripe).ToList();
        Assert.Equal(3, olds.Distinct().Count());
        Assert.All(olds, id => Assert.Equal(1, Stripe(id).K));

        var report = await _harness.CollectAsync();

        Assert.Equal(3, report.StripesRepacked);
        Assert.Equal(0, report.BlocksDeleted);
        Assert.All(olds, id => Assert.False(StripeExists(id)));
        var merged = files.Keys.Select(StripeOf).ToList();
        Assert.Single(merged.Select(m => m.Stripe).Distinct());
        Assert.Equal([0, 1, 2], merged.Select(m => m.Index).Order());
        var stripe = Stripe(merged[0].Stripe);
        Assert.Equal((3, 2), (stripe.K, stripe.M));
        var backends = stripe.Shards.SelectMany(s => s.Locations.Select(l => l.Backend)).ToList();
        Assert.Equal(backends.Count, backends.Distinct().Count());
        Assert.Empty(await _harness.UnknownObjectsAsync());
        foreach (var (name, contents) in files)
        {
            Assert.Equal(contents, await _harness.RestoreAsync(name));
        }

        var again = await _harness.CollectAsync();
        Assert.Equal(0, again.StripesRepacked);
    }

    [Fact]
    public async Task Collect_StoppedBetweenParityWritesAndCommit_LeavesEverythingReadableAndTheNextGcCleansUp()
    {
        var files = await AddTogetherAsync("d", 4, seed: 70);
        var oldId = StripeOf("d/f0").Stripe;
        foreach (var name in new[] { "d/f1", "d/f2", "d/f3" })
        {
            await _harness.Node.RemoveAsync("src/" + name, recursive: false, CancellationToken.None);
        }

        var objectsBefore = await _harness.ObjectsAsync();
        var crashing = _harness.Node.Repository.Backends.All
            .Select(b => new FaultyStore(b) { FailFlush = new BackendException(BackendFailureKind.Transient, b.Name, "power cut", null) })
            .ToList<IStorageBackend>();

        var stopped = await _harness.Node.CollectGarbageAsync(new GcOptions(Wait: TimeSpan.Zero), crashing, null, CancellationToken.None)
            .WaitAsync(GcHarness.Within);

        Assert.Equal(0, stopped.StripesRepacked);
        Assert.Equal(3, stopped.BlocksKeptInLiveStripes);
        Assert.True(StripeExists(oldId), "the old stripe is untouched");
        Assert.Equal(oldId, StripeOf("d/f0").Stripe);
        var leftovers = await _harness.UnknownObjectsAsync();
        Assert.NotEmpty(leftovers);
        Assert.Superset(objectsBefore, await _harness.ObjectsAsync());
        Assert.Equal(files["d/f0"], await _harness.RestoreAsync("d/f0"));
        // The old stripe still rebuilds the live block.
        await DeleteEverywhereAsync(Assert.Single(_harness.ObjectsOf("d/f0")));
        Assert.Equal(files["d/f0"], await _harness.RestoreAsync("d/f0"));

        var next = await _harness.CollectAsync();

        Assert.Equal(1, next.StripesRepacked);
        Assert.False(StripeExists(oldId));
        Assert.Empty(await _harness.UnknownObjectsAsync());
        Assert.Equal(files["d/f0"], await _harness.RestoreAsync("d/f0"));
        await DeleteEverywhereAsync(Assert.Single(_harness.ObjectsOf("d/f0")));
        Assert.Equal(files["d/f0"], await _harness.RestoreAsync("d/f0"));
    }
}

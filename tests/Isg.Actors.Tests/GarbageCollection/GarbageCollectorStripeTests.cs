using Isg.Actors.GarbageCollection;
using Isg.Actors.Ingest;

namespace Isg.Actors.Tests.GarbageCollection;

/// <summary>Collection over stripes: 3 local backends, 2+1 redundancy, small chunks.</summary>
public sealed class GarbageCollectorStripeTests : IAsyncLifetime
{
    private GcHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = new GcHarness(extraBackends: 2, redundancy: "2+1");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private long StripeCount()
    {
        using var reader = _harness.Node.Repository.Catalog.CreateReader();
        return reader.ReadGcCandidates(int.MaxValue).Stripes.Count;
    }

    [Fact]
    public async Task Collect_EveryBlockOfItsStripesRemoved_DeletesDataAndParityOnEveryBackend()
    {
        var kept = TestFiles.Random(60_000, seed: 20);
        await _harness.AddAsync("kept", kept);
        var objectsBefore = await _harness.ObjectsAsync();
        await _harness.AddAsync("gone", TestFiles.Random(120_000, seed: 21));
        var added = (await _harness.ObjectsAsync()).Except(objectsBefore).ToList();
        var stripesBefore = StripeCount();
        Assert.True(stripesBefore > 0);
        await _harness.Node.RemoveAsync("src/gone", recursive: false, CancellationToken.None);

        var report = await _harness.CollectAsync();

        Assert.True(report.StripesRemoved > 0, $"removed {report.StripesRemoved} stripes");
        Assert.True(report.Backends.Count(b => b.ObjectsDeleted > 0) >= 2, "shards were spread over backends");
        // Every data block and parity shard the add wrote is gone, except shards of a stripe shared with "kept".
        var left = added.Intersect(await _harness.ObjectsAsync()).ToList();
        Assert.True(left.Count <= 3, $"{left.Count} objects of the removed file remain");
        Assert.Empty(await _harness.UnknownObjectsAsync());
        Assert.Equal(kept, await _harness.RestoreAsync("kept"));
        Assert.Equal(stripesBefore - report.StripesRemoved, StripeCount());
    }

    [Fact]
    public async Task Collect_StripeWithALiveBlock_KeepsItsDeadBlocksSoTheLiveOneCanBeRebuilt()
    {
        // One add of two files below the smallest chunk (one block each, whatever the secret gear table): both land in one 2+1 stripe.
        var a = TestFiles.Random(1_000, seed: 22);
        var b = TestFiles.Random(1_000, seed: 23);
        TestFiles.Write(_harness.Local("dir/a"), a);
        TestFiles.Write(_harness.Local("dir/b"), b);
        await _harness.Node.AddAsync([new IngestSource(_harness.Local("dir"), "src/dir")], new IngestOptions(), null, CancellationToken.None);
        var objectOfA = Assert.Single(_harness.ObjectsOf("dir/a"));
        await _harness.Node.RemoveAsync("src/dir/b", recursive: false, CancellationToken.None);
        var objects = await _harness.ObjectsAsync();

        var report = await _harness.CollectAsync(new GcOptions(Wait: TimeSpan.Zero, Policy: new GcPolicy(RepackThreshold: 1.0, PolicyDataShards: 2)));

        Assert.Equal(1, report.BlocksKeptInLiveStripes);
        Assert.Equal(0, report.BlocksDeleted);
        Assert.Equal(objects, await _harness.ObjectsAsync());
        // The kept block and the parity rebuild a's block once its own object is lost.
        foreach (var backend in _harness.Node.Repository.Backends.All)
        {
            await backend.DeleteAsync(objectOfA, CancellationToken.None);
        }

        Assert.Equal(a, await _harness.RestoreAsync("dir/a"));
    }
}

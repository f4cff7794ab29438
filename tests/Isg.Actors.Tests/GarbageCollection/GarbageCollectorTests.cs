using System.Collections.Concurrent;
using Isg.Actors.Backends;
using Isg.Actors.GarbageCollection;
using Isg.Actors.Repositories;
using Isg.Actors.Transfers;

namespace Isg.Actors.Tests.GarbageCollection;

public sealed class GarbageCollectorTests : IAsyncLifetime
{
    private GcHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = new GcHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    /// <summary>v2 of a file: v1 with its middle 40 KB replaced, so the two share their outer blocks.</summary>
    private static byte[] Edited(byte[] v1, int seed)
    {
        var v2 = v1.ToArray();
        TestFiles.Random(40_000, seed).CopyTo(v2, v1.Length / 2 - 20_000);
        return v2;
    }

    [Fact]
    public async Task Collect_ReplacedVersion_DeletesItsOwnBlocksAndKeepsTheShared()
    {
        var v1 = TestFiles.Random(200_000, seed: 1);
        await _harness.AddAsync("f", v1);
        var before = _harness.ObjectsOf("f");
        var v2 = Edited(v1, seed: 2);
        await _harness.AddAsync("f", v2);
        var after = _harness.ObjectsOf("f");
        var released = before.Except(after).ToList();
        Assert.NotEmpty(released);
        Assert.NotEmpty(before.Intersect(after));

        var report = await _harness.CollectAsync();

        Assert.False(report.DryRun);
        Assert.Equal(released.Count, report.BlocksDeleted);
        Assert.True(report.BytesDeleted > 0);
        var objects = await _harness.ObjectsAsync();
        Assert.Empty(released.Intersect(objects));
        Assert.Subset(objects, after.ToHashSet());
        Assert.Equal(v2, await _harness.RestoreAsync("f"));
        Assert.True((await _harness.CollectAsync()).FoundNothing);
    }

    [Fact]
    public async Task Collect_DryRun_ReportsButDeletesNothing()
    {
        var v1 = TestFiles.Random(200_000, seed: 3);
        await _harness.AddAsync("f", v1);
        await _harness.AddAsync("f", Edited(v1, seed: 4));
        await _harness.Store.PutAsync(new string('a', 64), new byte[] { 1, 2, 3 }, CancellationToken.None);
        var objects = await _harness.ObjectsAsync();

        var dry = await _harness.CollectAsync(new GcOptions(DryRun: true));

        Assert.True(dry.DryRun);
        Assert.True(dry.BlocksDeleted > 0);
        Assert.Equal(1, dry.OrphansDeleted);
        Assert.Equal(objects, await _harness.ObjectsAsync());
        var real = await _harness.CollectAsync();
        Assert.Equal(dry.BlocksDeleted, real.BlocksDeleted);
        Assert.Equal(dry.BytesDeleted, real.BytesDeleted);
        Assert.Equal(1, real.OrphansDeleted);
    }

    [Fact]
    public async Task Collect_ObjectsOfACrashedAdd_AreDeletedAsOrphans()
    {
        var kept = TestFiles.Random(50_000, seed: 5);
        await _harness.AddAsync("kept", kept);
        // What an add that died before its commit leaves: sealed objects no catalogue row names.
        var orphans = Enumerable.Range(0, 5).Select(i => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([(byte)i]))).ToList();
        foreach (var name in orphans)
        {
            await _harness.Store.PutAsync(name, TestFiles.Random(1000, seed: name.Length), CancellationToken.None);
        }

        var report = await _harness.CollectAsync();

        Assert.Equal(5, report.OrphansDeleted);
        Assert.Equal(0, report.BlocksDeleted);
        Assert.Equal(5, Assert.Single(report.Backends).OrphansDeleted);
        Assert.Empty(orphans.Intersect(await _harness.ObjectsAsync()));
        Assert.Empty(await _harness.UnknownObjectsAsync());
        Assert.Equal(kept, await _harness.RestoreAsync("kept"));
    }

    [Fact]
    public async Task Collect_DeletesFailAfterTheCatalogueTransaction_NextRunRemovesTheOrphans()
    {
        var v1 = TestFiles.Random(200_000, seed: 6);
        await _harness.AddAsync("f", v1);
        var before = _harness.ObjectsOf("f");
        var v2 = Edited(v1, seed: 7);
        await _harness.AddAsync("f", v2);
        var released = before.Except(_harness.ObjectsOf("f")).ToList();
        // A gc killed between its transaction and its deletes: the rows are gone, the objects are not.
        var faulty = new FaultyStore(_harness.Store);
        faulty.FailDeletes.UnionWith(released);

        var first = await _harness.Node.CollectGarbageAsync(new GcOptions(Wait: TimeSpan.Zero), [faulty], null, CancellationToken.None)
            .WaitAsync(GcHarness.Within);

        Assert.Equal(released.Count, first.BlocksDeleted);
        Assert.Equal(released.Count, first.DeleteFailures);
        Assert.Equal(released.Order(), (await _harness.UnknownObjectsAsync()).Order());
        Assert.Equal(v2, await _harness.RestoreAsync("f"));

        var second = await _harness.CollectAsync();

        Assert.Equal(0, second.BlocksDeleted);
        Assert.Equal(released.Count, second.OrphansDeleted);
        Assert.Empty(await _harness.UnknownObjectsAsync());
        Assert.Empty(released.Intersect(await _harness.ObjectsAsync()));
        Assert.Equal(v2, await _harness.RestoreAsync("f"));
    }

    [Fact]
    public async Task Collect_AddHoldsTheRepositoryAndNoWait_ThrowsBusyAndDeletesNothing()
    {
        var v1 = TestFiles.Random(200_000, seed: 8);
        await _harness.AddAsync("f", v1);
        await _harness.AddAsync("f", Edited(v1, seed: 9));
        var objects = await _harness.ObjectsAsync();

        using (RepositoryLock.ForAdding(_harness.Node.Repository.Layout))
        {
            var busy = await Assert.ThrowsAsync<RepositoryException>(() => _harness.CollectAsync(new GcOptions(Wait: TimeSpan.Zero)));
            Assert.Equal(RepositoryErrorKind.Busy, busy.Kind);
        }

        Assert.Equal(objects, await _harness.ObjectsAsync());
        Assert.True((await _harness.CollectAsync()).BlocksDeleted > 0);
    }

    [Fact]
    public async Task Collect_StartedDuringAnAdd_WaitsForItAndKeepsWhatItCommits()
    {
        // v1's blocks are released (refcount 0) by v2; the add then stores v1 again as g, reusing those very blocks.
        var v1 = TestFiles.Random(200_000, seed: 10);
        await _harness.AddAsync("f", v1);
        await _harness.AddAsync("f", Edited(v1, seed: 11));
        var gcWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var addMayFinish = new ManualResetEventSlim();
        var addRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        var progress = new SyncProgress<TransferProgress>(p =>
        {
            // Hold the add (inside its lock, before its commit) until the gc says it is waiting for the lock.
            if (p.Event == TransferEvent.Bytes && Interlocked.Exchange(ref held, 1) == 0)
            {
                addRunning.TrySetResult();
                addMayFinish.Wait(GcHarness.Within);
            }
        });
        var phases = new ConcurrentQueue<GcPhase>();

        var add = Task.Run(() => _harness.AddAsync("g", v1, progress));
        await addRunning.Task.WaitAsync(GcHarness.Within);
        var gc = _harness.CollectAsync(new GcOptions(Wait: GcHarness.Within), new SyncProgress<GcPhase>(phase =>
        {
            phases.Enqueue(phase);
            if (phase == GcPhase.WaitingForLock)
            {
                gcWaiting.TrySetResult();
            }
        }));
        await gcWaiting.Task.WaitAsync(GcHarness.Within);
        Assert.False(gc.IsCompleted);
        addMayFinish.Set();
        await add;
        var report = await gc;

        Assert.Equal([GcPhase.Listing, GcPhase.Planning, GcPhase.WaitingForLock, GcPhase.Sweeping, GcPhase.Done], phases);
        Assert.Equal(v1, await _harness.RestoreAsync("g"));
        Assert.Equal(Edited(v1, seed: 11), await _harness.RestoreAsync("f"));
        Assert.Empty(await _harness.UnknownObjectsAsync());
        Assert.Equal(0, report.DeleteFailures);
    }

    [Fact]
    public async Task Collect_BlocksOfASnapshot_SurviveUntilItIsDeleted()
    {
        var contents = TestFiles.Random(100_000, seed: 12);
        await _harness.AddAsync("f", contents);
        var snapshot = await _harness.Node.CreateSnapshotAsync("s1", CancellationToken.None);
        var objects = _harness.ObjectsOf("f");
        await _harness.Node.RemoveAsync("src/f", recursive: false, CancellationToken.None);

        var kept = await _harness.CollectAsync();

        Assert.Equal(0, kept.BlocksDeleted);
        Assert.Subset(await _harness.ObjectsAsync(), objects.ToHashSet());
        Assert.Equal(contents, await _harness.RestoreAsync("f", snapshot.Id));

        await _harness.Node.DeleteSnapshotsAsync([snapshot.Id], CancellationToken.None);
        var freed = await _harness.CollectAsync();

        Assert.Equal(objects.Count, freed.BlocksDeleted);
        Assert.Empty(objects.Intersect(await _harness.ObjectsAsync()));
        Assert.Empty(await _harness.UnknownObjectsAsync());
    }

    [Fact]
    public async Task Collect_BackendNotConfigured_CountsAFailureAndKeepsGoing()
    {
        var v1 = TestFiles.Random(200_000, seed: 13);
        await _harness.AddAsync("f", v1);
        await _harness.AddAsync("f", Edited(v1, seed: 14));

        var report = await _harness.Node.CollectGarbageAsync(new GcOptions(Wait: TimeSpan.Zero), Array.Empty<IStorageBackend>(), null, CancellationToken.None);

        Assert.True(report.BlocksDeleted > 0);
        Assert.Equal(report.BlocksDeleted, report.DeleteFailures);
        Assert.Equal(report.BlocksDeleted, (await _harness.CollectAsync()).OrphansDeleted);
    }
}

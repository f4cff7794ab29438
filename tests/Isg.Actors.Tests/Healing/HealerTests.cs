using Isg.Actors.Catalog;
using Isg.Actors.Healing;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Healing;

/// <summary>
/// The healer on a repository with three local backends and 4+2 stripes: shards deleted or corrupted on disk are
/// found, repaired from their stripe (data and parity) and verify again; more than m in a stripe is a loss naming
/// exactly the files of the unrecoverable blocks; a pass resumes from its cursor.
/// </summary>
public sealed class HealerTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = HealingNode.Within;
    private readonly HealingNode _healing = new();
    private readonly RecordingLoggerFactory _logs = new();

    private TempDirectory Dir => _healing.Dir;

    private Dictionary<string, byte[]> Files => _healing.Files;

    private StorageNode Node => _healing.Node;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _healing.DisposeAsync().AsTask();

    [Fact]
    public async Task ScrubAsync_UpToMShardsPerStripeBad_RepairRestoresEveryShard()
    {
        await StartWithFilesAsync();
        var stripes = StripeChunks();
        Assert.True(stripes.Count >= 3, $"expected several stripes, got {stripes.Count}");
        var damaged = new List<ShardAddress>();
        foreach (var (_, chunks) in stripes)
        {
            // One data shard deleted and one parity shard corrupted: two bad shards per 4+2 stripe.
            var data = chunks.First(c => !c.IsParity);
            var parity = chunks.First(c => c.IsParity);
            _healing.Lose(data.Address);
            _healing.Corrupt(parity.Address);
            damaged.Add(data.Address);
            damaged.Add(parity.Address);
        }

        var verify = await ScrubAsync(new ScrubRequest());
        Assert.Equal(Sorted(damaged), verify.Bad.Select(b => b.Address.ToString()).Order(StringComparer.Ordinal).ToList());
        Assert.Empty(verify.Repaired);
        var degraded = Node.GetHealth();
        Assert.Equal(HealthState.Degraded, degraded.State);
        Assert.Equal(stripes.Count, degraded.StripesDegraded);
        Assert.Equal(0, degraded.StripesLost);
        Assert.Equal(damaged.Count, degraded.Faults.Count);

        var repair = await ScrubAsync(new ScrubRequest(Repair: true));
        Assert.Equal(Sorted(damaged), repair.Repaired.Select(r => r.Address.ToString()).Order(StringComparer.Ordinal).ToList());
        Assert.Empty(repair.Lost);
        Assert.Equal(0, repair.Unrepaired);

        var again = await ScrubAsync(new ScrubRequest());
        Assert.True(again.Healthy, string.Join("; ", again.Bad.Select(b => $"{b.Address}: {b.Message}")));
        Assert.All(damaged, a => Assert.True(_healing.Holds(a)));
        var healthy = Node.GetHealth();
        Assert.Equal(HealthState.Healthy, healthy.State);
        Assert.Equal(stripes.Count, healthy.StripesHealthy);
        Assert.Empty(healthy.Faults);
        Assert.Equal(again.Shards, healthy.LastPass!.Shards);

        var events = Node.HealthEvents.Since(0);
        // Each damaged shard was found by the verify pass and again by the repair pass.
        Assert.Equal(2 * damaged.Count / 2, events.Count(e => e.Kind == HealthEventKind.ShardMissing));
        Assert.Equal(2 * damaged.Count / 2, events.Count(e => e.Kind == HealthEventKind.ShardCorrupt));
        Assert.Equal(Sorted(damaged),
            events.Where(e => e.Kind == HealthEventKind.ShardRepaired).Select(e => new ShardAddress(e.Backend!, e.ObjectName!).ToString()).Order(StringComparer.Ordinal).ToList());
        Assert.DoesNotContain(events, e => e.Kind == HealthEventKind.StripeLost);
        await AssertRestoresAsync(Files.Keys);
    }

    [Fact]
    public async Task ScrubAsync_ParityShardBad_NamesTheFilesItsStripeProtects()
    {
        await StartWithFilesAsync();
        var (_, chunks) = StripeChunks().First();
        var parity = chunks.First(c => c.IsParity);
        var protectedFiles = FilesUsing(chunks.Where(c => !c.IsParity).Select(c => c.BlockId));
        _healing.Lose(parity.Address);

        var repair = await ScrubAsync(new ScrubRequest(Repair: true));

        Assert.NotEmpty(protectedFiles);
        Assert.Equal(protectedFiles, Assert.Single(repair.Bad).Files);
        Assert.Equal(protectedFiles, Assert.Single(repair.Repaired).Files);
        var events = Node.HealthEvents.Since(0);
        Assert.Equal(protectedFiles, Assert.Single(events, e => e.Kind == HealthEventKind.ShardRepaired).Files);
    }

    [Fact]
    public async Task ScrubAsync_MorePlusOneShardsOfAStripeBad_ReportsItLostNamingExactlyItsFilesAndRepairsTheRest()
    {
        await StartWithFilesAsync();
        var stripes = StripeChunks();
        var victim = stripes.First(s => s.Value.Count(c => !c.IsParity) >= 2);
        var lostBlocks = victim.Value.Where(c => !c.IsParity).OrderBy(c => c.ShardIndex).Take(2).ToList();
        var expectedLost = FilesUsing(lostBlocks.Select(c => c.BlockId));
        foreach (var chunk in lostBlocks)
        {
            _healing.Lose(chunk.Address);
        }

        _healing.Corrupt(victim.Value.First(c => c.IsParity).Address);
        var repairable = new List<ShardAddress>();
        foreach (var (id, chunks) in stripes.Where(s => s.Key != victim.Key))
        {
            var data = chunks.Last(c => !c.IsParity);
            _healing.Corrupt(data.Address);
            repairable.Add(data.Address);
        }

        var repair = await ScrubAsync(new ScrubRequest(Repair: true));

        var lost = Assert.Single(repair.Lost);
        Assert.Equal(expectedLost, lost.Files);
        Assert.Equal(Sorted(repairable), repair.Repaired.Select(r => r.Address.ToString()).Order(StringComparer.Ordinal).ToList());
        var lostEvent = Assert.Single(Node.HealthEvents.Since(0), e => e.Kind == HealthEventKind.StripeLost);
        Assert.Equal(victim.Key, lostEvent.Stripe);
        Assert.Equal(expectedLost, lostEvent.Files);
        var health = Node.GetHealth();
        Assert.Equal(HealthState.Lost, health.State);
        Assert.Equal(1, health.StripesLost);
        Assert.Equal(stripes.Count - 1, health.StripesHealthy);

        await AssertRestoresAsync(Files.Keys.Except(expectedLost));
        foreach (var path in expectedLost)
        {
            var output = Dir.Combine("out", Guid.NewGuid().ToString("N"));
            var report = await Node.RestoreAsync(new RestoreRequest(path, output, Overwrite: false), null, CancellationToken.None).WaitAsync(Within);
            Assert.Equal(1, report.CorruptFiles);
            Assert.False(File.Exists(output));
        }
    }

    [Fact]
    public async Task RunAsync_StoppedAfterAPage_ResumesFromTheCursorAndCoversTheRest()
    {
        await StartWithFilesAsync();
        var total = AllChunks().Count;
        await Node.DisposeAsync();
        _healing.Current = null;
        using var repository = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance);
        var events = new HealthEventLog(NullLogger.Instance, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var records = 0;
        Task Record(ScrubRecord record, CancellationToken cancellationToken)
        {
            using var writer = repository.Catalog.CreateWriter();
            writer.RecordScrub(record);
            if (++records == 1)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }

        var first = new Scrubber(repository, repository.Backends, Record, events, new TokenBucket(0, TimeProvider.System), TimeProvider.System, 2, pageSize: 8);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.RunAsync(new ScrubRequest(Resume: true), null, stop.Token));
        string? cursor;
        using (var reader = repository.Catalog.CreateReader())
        {
            cursor = reader.GetConfig(CatalogWriter.ScrubCursorKey);
            Assert.Equal(Scrubber.FormatCursor(reader.ListChunks(null, 8)[^1].Address), cursor);
        }

        var second = new Scrubber(repository, repository.Backends, Record, events, new TokenBucket(0, TimeProvider.System), TimeProvider.System, 2, pageSize: 8);
        var report = await second.RunAsync(new ScrubRequest(Resume: true), null, CancellationToken.None);

        Assert.Equal(total - 8, report.Shards);
        using (var reader = repository.Catalog.CreateReader())
        {
            Assert.Null(reader.GetConfig(CatalogWriter.ScrubCursorKey));
            Assert.Equal(total - 8, ScrubPassSummary.TryParse(reader.GetConfig(CatalogWriter.LastPassKey))!.Shards);
        }
    }

    [Fact]
    public async Task ScrubAsync_RepairPass_RewritesAStoredLeafHashThatIsNotItsEntrys()
    {
        await StartWithFilesAsync();
        var catalog = Node.Repository.Catalog;
        Isg.Protocol.Hashing.Hash256 root;
        using (var reader = catalog.CreateReader())
        {
            root = reader.ComputeCatalogDigest(string.Empty, null).Root;
        }

        // One entry's stored leaf hash damaged behind the node's back (what a bug or a bad disk could leave).
        using (var connection = Isg.Actors.Tests.Catalog.CatalogTestData.Raw(catalog))
        using (var damage = connection.CreateCommand())
        {
            damage.CommandText = "UPDATE files SET leaf_hash = zeroblob(32) WHERE path = (SELECT min(path) FROM files)";
            Assert.Equal(1, damage.ExecuteNonQuery());
        }

        Assert.Contains(catalog.IntegrityCheck(), p => p.Kind == CatalogProblemKind.LeafHashMismatch);
        var verify = await ScrubAsync(new ScrubRequest());
        Assert.Equal(0, verify.LeafHashesRewritten);

        var repair = await ScrubAsync(new ScrubRequest(Repair: true));

        Assert.Equal(1, repair.LeafHashesRewritten);
        Assert.DoesNotContain(catalog.IntegrityCheck(), p => p.Kind == CatalogProblemKind.LeafHashMismatch);
        using (var reader = catalog.CreateReader())
        {
            Assert.Equal(root, reader.ComputeCatalogDigest(string.Empty, null).Root);
        }

        var again = await ScrubAsync(new ScrubRequest(Repair: true));
        Assert.Equal(0, again.LeafHashesRewritten);
    }

    [Fact]
    public async Task HealerActor_StartedWithAStoredCursor_ResumesThatPassAtOnce()
    {
        await StartWithFilesAsync();
        var chunks = AllChunks();
        await Node.DisposeAsync();
        _healing.Current = null;
        using (var repository = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance))
        using (var writer = repository.Catalog.CreateWriter())
        {
            // What an interrupted pass leaves behind: the position of the last recorded shard.
            writer.RecordScrub(new ScrubRecord([], [], [], Scrubber.FormatCursor(chunks[9].Address)));
        }

        var finished = new TaskCompletionSource<HealthEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reopened = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance);
        _healing.Current = StorageNode.Start(reopened, _logs, new StorageNodeOptions(Workers: 2, Healer: new HealerOptions(Periodic: true, PageSize: 4)));
        Node.HealthEvents.Added += e =>
        {
            if (e.Kind == HealthEventKind.PassFinished)
            {
                finished.TrySetResult(e);
            }
        };
        if (Node.HealthEvents.Since(0).FirstOrDefault(e => e.Kind == HealthEventKind.PassFinished) is { } already)
        {
            finished.TrySetResult(already);
        }

        await finished.Task.WaitAsync(Within);
        var started = Assert.Single(Node.HealthEvents.Since(0), e => e.Kind == HealthEventKind.PassStarted);
        Assert.Contains("resuming after", started.Message, StringComparison.Ordinal);
        Assert.Equal(chunks.Count - 10, Node.GetHealth().LastPass!.Shards);
    }

    [Fact]
    public async Task HealerActor_RepairRequested_RunsARepairPassAndClearsTheRequest()
    {
        await StartWithFilesAsync();
        var victim = StripeChunks().First().Value.First(c => c.IsParity);
        _healing.Lose(victim.Address);
        await Node.DisposeAsync();
        _healing.Current = null;
        using (var repository = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance))
        using (var writer = repository.Catalog.CreateWriter())
        {
            writer.SetConfig(HealerActor.RepairRequestKey, "2026-11-21T00:00:00Z");
        }

        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reopened = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance);
        _healing.Current = StorageNode.Start(reopened, _logs, new StorageNodeOptions(Workers: 2, Healer: new HealerOptions(Periodic: true)));
        Node.HealthEvents.Added += e =>
        {
            if (e.Kind == HealthEventKind.PassFinished)
            {
                finished.TrySetResult();
            }
        };
        if (Node.HealthEvents.Since(0).Any(e => e.Kind == HealthEventKind.PassFinished))
        {
            finished.TrySetResult();
        }

        await finished.Task.WaitAsync(Within);
        Assert.Single(Node.HealthEvents.Since(0), e => e.Kind == HealthEventKind.ShardRepaired && e.ObjectName == victim.Address.ObjectName);
        Assert.True(_healing.Holds(victim.Address));
        using var reader = Node.Repository.Catalog.CreateReader();
        Assert.Null(reader.GetConfig(HealerActor.RepairRequestKey));
    }

    [Fact]
    public async Task RunAsync_LimitedRate_WaitsAboutBytesOverRateOnTheClock()
    {
        await StartWithFilesAsync();
        await Node.DisposeAsync();
        _healing.Current = null;
        using var repository = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance);
        var time = new ManualTimeProvider();
        const long Rate = 20_000;
        var bucket = new TokenBucket(Rate, time);
        var scrubber = new Scrubber(repository, repository.Backends, (record, _) =>
        {
            using var writer = repository.Catalog.CreateWriter();
            writer.RecordScrub(record);
            return Task.CompletedTask;
        }, new HealthEventLog(NullLogger.Instance, time), bucket, time, parallelism: 1);
        var start = time.GetUtcNow();

        var pass = scrubber.RunAsync(new ScrubRequest(), null, CancellationToken.None);
        while (!pass.IsCompleted)
        {
            var timer = time.WaitForPendingTimersAsync(1, Within);
            await Task.WhenAny(pass, timer);
            if (!pass.IsCompleted && time.NextDue is { } due)
            {
                time.Advance(due);
            }
        }

        var report = await pass;
        var expected = (double)report.Bytes / Rate;
        Assert.True(report.Bytes > 5 * Rate, $"too little data for the test: {report.Bytes} bytes");
        Assert.InRange((time.GetUtcNow() - start).TotalSeconds, expected * 0.95, expected * 1.05);
        Assert.InRange(bucket.TotalWait.TotalSeconds, expected * 0.95, expected * 1.05);
    }

    [Fact]
    public async Task RestoreAsync_DataShardDeleted_SucceedsAndTheHealerRewritesThatShard()
    {
        await StartWithFilesAsync();
        var victim = StripeChunks().First().Value.First(c => !c.IsParity);
        var path = FilesUsing([victim.BlockId]).First();
        _healing.Lose(victim.Address);
        var repaired = new TaskCompletionSource<HealthEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Node.HealthEvents.Added += e =>
        {
            if (e.Kind == HealthEventKind.ShardRepaired)
            {
                repaired.TrySetResult(e);
            }
            else if (e.Kind == HealthEventKind.PassFinished)
            {
                finished.TrySetResult();
            }
        };

        var output = await RestoreAsync(path);

        Assert.Equal(Files[path], await File.ReadAllBytesAsync(output));
        var repair = await repaired.Task.WaitAsync(Within);
        Assert.Equal(victim.Address, new ShardAddress(repair.Backend!, repair.ObjectName!));
        await finished.Task.WaitAsync(Within);
        Assert.True(_healing.Holds(victim.Address));
        var started = Assert.Single(Node.HealthEvents.Since(0), e => e.Kind == HealthEventKind.PassStarted);
        Assert.Contains("a read found damaged", started.Message, StringComparison.Ordinal);
        using (var reader = Node.Repository.Catalog.CreateReader())
        {
            Assert.NotNull(Assert.Single(reader.GetChunksOfBlock(victim.BlockId), c => c.Address == victim.Address).VerifiedAt);
        }

        var verify = await ScrubAsync(new ScrubRequest());
        Assert.True(verify.Healthy, string.Join("; ", verify.Bad.Select(b => $"{b.Address}: {b.Message}")));
    }

    private async Task StartWithFilesAsync()
    {
        await _healing.StartAsync("4+2", 6, i => 30_000 + (i * 7_000), seed: 100, _logs);
        Assert.Equal(3, Node.Repository.Backends.All.Count);
    }

    private Task<ScrubReport> ScrubAsync(ScrubRequest request) => Node.ScrubAsync(request, null, CancellationToken.None).WaitAsync(Within);

    private List<ChunkRecord> AllChunks() => _healing.AllChunks();

    // Stripes with their chunks, for stripes that have parity.
    private Dictionary<long, List<ChunkRecord>> StripeChunks() =>
        AllChunks().Where(c => c.StripeId is not null).GroupBy(c => c.StripeId!.Value)
            .Where(g => g.Any(c => c.IsParity))
            .ToDictionary(g => g.Key, g => g.ToList());

    private List<string> FilesUsing(IEnumerable<Isg.Protocol.Hashing.BlockId> blocks)
    {
        using var reader = Node.Repository.Catalog.CreateReader();
        return blocks.SelectMany(reader.GetFilesUsingBlock).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> Sorted(IEnumerable<ShardAddress> addresses) =>
        addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList();


    private async Task AssertRestoresAsync(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var output = await RestoreAsync(path);
            Assert.Equal(Files[path], await File.ReadAllBytesAsync(output));
        }
    }

    private async Task<string> RestoreAsync(string path)
    {
        var output = Dir.Combine("out", Guid.NewGuid().ToString("N"));
        var report = await Node.RestoreAsync(new RestoreRequest(path, output, Overwrite: false), null, CancellationToken.None).WaitAsync(Within);
        Assert.Empty(report.Failures);
        return output;
    }
}

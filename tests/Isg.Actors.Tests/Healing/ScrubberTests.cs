using Isg.Actors.Catalog;
using Isg.Actors.Healing;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Healing;

/// <summary>
/// A repair pass protects referenced blocks that are in no stripe: files added without redundancy, then the
/// repository switched to 2+1, end up in 2+1 stripes whose parity rebuilds a deleted data block.
/// </summary>
public sealed class ScrubberTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = HealingNode.Within;
    private readonly HealingNode _healing = new();

    private TempDirectory Dir => _healing.Dir;

    private Dictionary<string, byte[]> Files => _healing.Files;

    private StorageNode Node => _healing.Node;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _healing.DisposeAsync().AsTask();

    [Fact]
    public async Task RunAsync_RepairWithUnprotectedBlocks_StripesThemAndTheirParityRebuildsADeletedBlock()
    {
        await StartWithUnprotectedFilesAsync();
        long unprotected;
        using (var reader = Node.Repository.Catalog.CreateReader())
        {
            unprotected = reader.CountUnprotectedBlocks();
        }

        Assert.True(unprotected >= 5, $"expected several unprotected blocks, got {unprotected}");
        Node.Repository.Settings.Set(RepositorySettings.RedundancyKey, "2+1");

        var repair = await Node.ScrubAsync(new ScrubRequest(Repair: true), null, CancellationToken.None).WaitAsync(Within);

        Assert.Equal(unprotected, repair.Protected);
        Assert.True(repair.Healthy);
        using (var reader = Node.Repository.Catalog.CreateReader())
        {
            Assert.Equal(0, reader.CountUnprotectedBlocks());
        }

        Assert.Empty(Node.Repository.Catalog.IntegrityCheck());
        var protectedEvent = Assert.Single(Node.HealthEvents.Since(0), e => e.Kind == HealthEventKind.BlocksProtected);
        Assert.Contains($"protected {unprotected} unprotected blocks with 2+1", protectedEvent.Message, StringComparison.Ordinal);

        var stripes = AllChunks().Where(c => c.StripeId is not null).GroupBy(c => c.StripeId!.Value).ToList();
        Assert.All(stripes, s => Assert.Single(s, c => c.IsParity));
        var victim = stripes.First(s => s.Count(c => !c.IsParity) == 2).First(c => !c.IsParity);
        _healing.Lose(victim.Address);
        string path;
        using (var reader = Node.Repository.Catalog.CreateReader())
        {
            path = reader.GetFilesUsingBlock(victim.BlockId)[0];
        }

        var output = Dir.Combine("out", "restored.bin");
        var report = await Node.RestoreAsync(new RestoreRequest(path, output, Overwrite: false), null, CancellationToken.None).WaitAsync(Within);
        Assert.Empty(report.Failures);
        Assert.Equal(Files[path], await File.ReadAllBytesAsync(output));

        // A second pass finds nothing left to protect.
        var again = await Node.ScrubAsync(new ScrubRequest(Repair: true), null, CancellationToken.None).WaitAsync(Within);
        Assert.Equal(0, again.Protected);
    }

    [Fact]
    public async Task RunAsync_VerifyOnlyOrNoRedundancy_LeavesBlocksUnprotected()
    {
        await StartWithUnprotectedFilesAsync();
        long before;
        using (var reader = Node.Repository.Catalog.CreateReader())
        {
            before = reader.CountUnprotectedBlocks();
        }

        var repairWithoutPolicy = await Node.ScrubAsync(new ScrubRequest(Repair: true), null, CancellationToken.None).WaitAsync(Within);
        Node.Repository.Settings.Set(RepositorySettings.RedundancyKey, "2+1");
        var verify = await Node.ScrubAsync(new ScrubRequest(), null, CancellationToken.None).WaitAsync(Within);

        Assert.Equal(0, repairWithoutPolicy.Protected);
        Assert.Equal(0, verify.Protected);
        using (var reader = Node.Repository.Catalog.CreateReader())
        {
            Assert.Equal(before, reader.CountUnprotectedBlocks());
        }

        Assert.True(before >= Files.Count);
    }

    [Fact]
    public async Task ListUnprotectedBlocks_PagedByLastId_ReturnsEachBlockOnceInOrder()
    {
        await StartWithUnprotectedFilesAsync();
        using var reader = Node.Repository.Catalog.CreateReader();
        var all = reader.ListUnprotectedBlocks(null, 1_000);
        var paged = new List<Isg.Protocol.Hashing.BlockId>();
        Isg.Protocol.Hashing.BlockId? after = null;
        while (reader.ListUnprotectedBlocks(after, 2) is { Count: > 0 } page)
        {
            paged.AddRange(page);
            after = page[^1];
        }

        Assert.Equal(reader.CountUnprotectedBlocks(), all.Count);
        Assert.Equal(all, paged);
        Assert.Equal(all.Select(b => b.ToHex()).Order(StringComparer.Ordinal), all.Select(b => b.ToHex()));
    }

    // Three local backends, redundancy 0, and small random files added through the node.
    private Task StartWithUnprotectedFilesAsync() =>
        _healing.StartAsync("0", 5, i => 3_000 + (i * 1_000), seed: 300, NullLoggerFactory.Instance, new HealerOptions(PageSize: 2));

    private List<ChunkRecord> AllChunks() => _healing.AllChunks();

}

using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Isg.Actors.Tests.Backends;

namespace Isg.Actors.Tests.Striping;

/// <summary>A repository over three local backends with redundancy 4+2: damage within parity heals on read, beyond it fails exactly the files hit.</summary>
public sealed class StripedRepositoryTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private StorageNode _node = null!;

    private Repository Repository => _node.Repository;

    private string Src => _dir.Combine("src");

    public async Task InitializeAsync()
    {
        using (var repository = TestRepository.Create(_dir))
        {
            BackendAdministration.AddLocal(repository, "b2", _dir.Combine("b2"));
            BackendAdministration.AddLocal(repository, "b3", _dir.Combine("b3"));
            repository.Settings.Set(RepositorySettings.RedundancyKey, "4+2");
        }

        _node = StorageNode.Start(Repository.Open(_dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance),
            NullLoggerFactory.Instance, new StorageNodeOptions(Workers: 2));
        Directory.CreateDirectory(Src);
        for (var i = 0; i < 8; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(Src, $"f{i}.bin"), SampleData.RandomBytes(300_000 + (i * 7_919), seed: 100 + i));
        }

        var report = await _node.AddAsync([new IngestSource(Src, "data")], new IngestOptions(), null, CancellationToken.None).WaitAsync(Within);
        Assert.Equal(9, report.FilesAdded); // the folder and its 8 files
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void Add_ThreeBackends_EveryBlockIsInAStripeSpreadOverAllBackends()
    {
        Assert.Empty(Repository.Catalog.IntegrityCheck());
        var stripes = Stripes();
        Assert.NotEmpty(stripes);
        Assert.All(stripes, s => Assert.Equal(2, s.M));
        Assert.All(stripes.Take(stripes.Count - 1), s => Assert.Equal(4, s.K));
        using var reader = Repository.Catalog.CreateReader();
        Assert.Equal(0, reader.CountUnprotectedBlocks());
        var usage = reader.GetBackendUsage();
        Assert.Equal(["b2", "b3", "local"], usage.Select(u => u.Backend).ToArray());
        var total = usage.Sum(u => u.Objects);

        // 6 shards over 3 backends, rotated per stripe: every backend holds about a third.
        Assert.All(usage, u => Assert.InRange(u.Objects, total / 3 - stripes.Count, total / 3 + stripes.Count));
    }

    [Fact]
    public async Task Get_UpToMShardsPerStripeDeletedOrCorrupted_RestoresBitExact()
    {
        var stripes = Stripes();
        var damaged = 0;
        foreach (var stripe in stripes)
        {
            var total = stripe.K + stripe.M;
            var first = (int)(stripe.Id % total);
            var second = (first + Math.Min(3, total - 1)) % total;
            Damage(stripe, first, (int)(stripe.Id % 3));
            Damage(stripe, second, (int)((stripe.Id + 1) % 3));
            damaged += 2;
        }

        Assert.True(damaged >= 2 * stripes.Count);
        var output = _dir.Combine("out");
        var report = await _node.RestoreAsync(new RestoreRequest("data", output, false), null, CancellationToken.None).WaitAsync(Within);

        Assert.Empty(report.Failures);
        AssertSameTree(output, Enumerable.Range(0, 8).Select(i => $"f{i}.bin"));
    }

    [Fact]
    public async Task Get_MPlusOneShardsLostInOneStripe_FailsExactlyTheFilesUsingThemAndRestoresTheRest()
    {
        var stripe = Stripes().First(s => s.K == 4);
        var lostBlocks = new HashSet<Isg.Protocol.Hashing.BlockId>();
        for (var index = 0; index < 3; index++)
        {
            Damage(stripe, index, index);
            lostBlocks.Add(stripe.Shards.Single(s => s.Index == index).Id);
        }

        var affected = FilesUsing(lostBlocks);
        Assert.NotEmpty(affected);
        var output = _dir.Combine("out");
        var report = await _node.RestoreAsync(new RestoreRequest("data", output, false), null, CancellationToken.None).WaitAsync(Within);

        var failed = report.Failures.Select(f => f[..f.IndexOf(':', StringComparison.Ordinal)]).ToHashSet();
        Assert.Equal(affected.Select(f => "data/" + f).ToHashSet(), failed);
        Assert.All(report.Failures, f => Assert.Contains($"stripe {stripe.Id}", f, StringComparison.Ordinal));
        Assert.Equal(affected.Count, report.CorruptFiles);
        AssertSameTree(output, Enumerable.Range(0, 8).Select(i => $"f{i}.bin").Except(affected));
        Assert.All(affected, f => Assert.False(File.Exists(Path.Combine(output, f))));
    }

    private List<StripeLayout> Stripes()
    {
        using var reader = Repository.Catalog.CreateReader();
        using var blocks = Repository.Catalog.CreateReader();
        var ids = new SortedSet<long>();
        foreach (var entry in reader.ListFiles(string.Empty).ToList())
        {
            foreach (var block in blocks.GetFileBlocks(entry.Id))
            {
                ids.Add(blocks.GetBlockStripe(block.Id)!.Value.StripeId);
            }
        }

        return ids.Select(id => blocks.GetStripe(id)!).ToList();
    }

    private HashSet<string> FilesUsing(HashSet<Isg.Protocol.Hashing.BlockId> lost)
    {
        using var reader = Repository.Catalog.CreateReader();
        using var blocks = Repository.Catalog.CreateReader();
        return reader.ListFiles("data").Where(e => e.Kind == FileKind.File)
            .Where(e => blocks.GetFileBlocks(e.Id).Any(b => lost.Contains(b.Id)))
            .Select(e => Path.GetFileName(e.Path))
            .ToHashSet();
    }

    // Destroys every copy of shard `index`: mode 0 deletes it, 1 flips a byte, 2 truncates it.
    private void Damage(StripeLayout stripe, int index, int mode)
    {
        var shard = stripe.Shards.Single(s => s.Index == index);
        foreach (var (backend, objectName) in shard.Locations)
        {
            var store = StoredObjects.Local(Repository.Backends.Get(backend));
            switch (mode)
            {
                case 0:
                    store.Lose(objectName);
                    break;
                case 1:
                    store.Flip(objectName);
                    break;
                default:
                    store.Truncate(objectName, store.StoredLength(objectName) / 2);
                    break;
            }
        }
    }

    private void AssertSameTree(string output, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(Src, name)), File.ReadAllBytes(Path.Combine(output, name)));
        }
    }
}

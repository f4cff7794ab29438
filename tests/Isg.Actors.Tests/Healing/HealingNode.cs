using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Healing;
using Isg.Actors.Hosting;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Tests.Backends;
using Isg.TestKit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Healing;

/// <summary>
/// The healer tests' setup: a test repository with three local backends (its own, b1 and b2) at a redundancy, a
/// node started on it, and random files added through the node under "src". Disposes the node and the directory.
/// </summary>
internal sealed class HealingNode : IAsyncDisposable
{
    /// <summary>How long any one node operation may take.</summary>
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    public TempDirectory Dir { get; } = new();

    /// <summary>The added files' contents by catalogue path.</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>The running node; tests that reopen the repository dispose it and set their own.</summary>
    public StorageNode? Current { get; set; }

    public StorageNode Node => Current!;

    /// <summary>
    /// Creates the repository with <paramref name="redundancy"/>, starts a node with two workers and
    /// <paramref name="healer"/>, and adds <paramref name="count"/> files of <paramref name="size"/>(i) random bytes
    /// (seeded <paramref name="seed"/> + i) as src/f{i}.bin.
    /// </summary>
    public async Task StartAsync(string redundancy, int count, Func<int, int> size, int seed, ILoggerFactory logs, HealerOptions? healer = null)
    {
        var repository = TestRepository.Create(Dir);
        using (var writer = repository.Catalog.CreateWriter())
        {
            foreach (var name in new[] { "b1", "b2" })
            {
                writer.AddBackend(new BackendRecord(name, BackendFactory.LocalType, BackendFactory.LocalSettings(Dir.Combine(name)), DateTimeOffset.UtcNow));
            }
        }

        repository.Settings.Set(RepositorySettings.RedundancyKey, redundancy);
        repository.Dispose();
        var reopened = Repository.Open(Dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance);
        Current = StorageNode.Start(reopened, logs, new StorageNodeOptions(Workers: 2, Healer: healer));
        for (var i = 0; i < count; i++)
        {
            var contents = SampleData.RandomBytes(size(i), seed: seed + i);
            Files[$"src/f{i}.bin"] = contents;
            TestFiles.Write(Dir.Combine("src", $"f{i}.bin"), contents);
        }

        await Node.AddAsync([new IngestSource(Dir.Combine("src"), "src")], new IngestOptions(), null, CancellationToken.None).WaitAsync(Within);
    }

    /// <summary>Every chunk row, in scrub order.</summary>
    public List<ChunkRecord> AllChunks()
    {
        using var reader = Node.Repository.Catalog.CreateReader();
        return reader.ListChunks(null, 100_000).ToList();
    }

    /// <summary>Removes the object at <paramref name="address"/> from its local store, as if lost.</summary>
    public void Lose(ShardAddress address) => StoreOf(address).Lose(address.ObjectName);

    /// <summary>Flips a byte in the middle of the object at <paramref name="address"/>.</summary>
    public void Corrupt(ShardAddress address) => StoreOf(address).Flip(address.ObjectName, mask: 0x5a);

    /// <summary>Whether the local store holds the object at <paramref name="address"/>.</summary>
    public bool Holds(ShardAddress address) => StoreOf(address).Holds(address.ObjectName);

    private LocalBlockStore StoreOf(ShardAddress address) => StoredObjects.Local(Node.Repository.Backends.Get(address.Backend));

    public async ValueTask DisposeAsync()
    {
        if (Current is not null)
        {
            await Current.DisposeAsync();
        }

        Dir.Dispose();
    }
}

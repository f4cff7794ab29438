using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.GarbageCollection;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Actors.Ingest;
using Isg.Actors.Restore;
using Isg.Actors.Transfers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.GarbageCollection;

/// <summary>An in-process node on a temp repository with small chunks, and the helpers gc tests share.</summary>
internal sealed class GcHarness : IAsyncDisposable
{
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private int _restores;

    /// <summary>
    /// A repository with <paramref name="extraBackends"/> local backends beside the built-in one and the given
    /// redundancy ("none" by default, so that blocks are unstriped and gc deletes them at once).
    /// </summary>
    public GcHarness(int extraBackends = 0, string redundancy = "none")
    {
        using (var repository = TestRepository.Create(_dir))
        {
            repository.Settings.Set(RepositorySettings.RedundancyKey, redundancy);
            using var writer = repository.Catalog.CreateWriter();
            for (var i = 1; i <= extraBackends; i++)
            {
                writer.AddBackend(new BackendRecord($"disk{i}", "local", BackendFactory.LocalSettings(_dir.Combine($"disk{i}")), DateTimeOffset.UtcNow));
            }
        }

        Node = StorageNode.Start(Repository.Open(_dir.Combine("repo"), TestRepository.Passphrase, NullLoggerFactory.Instance),
            NullLoggerFactory.Instance, new StorageNodeOptions(Workers: 2));
    }

    public StorageNode Node { get; }

    /// <summary>The built-in backend.</summary>
    public IStorageBackend Store => Node.Repository.Backends.Primary;

    public string Local(string name) => _dir.Combine("src", name);

    /// <summary>Writes <paramref name="contents"/> locally and adds it as <c>src/name</c>.</summary>
    public Task<IngestReport> AddAsync(string name, byte[] contents, IProgress<TransferProgress>? progress = null)
    {
        TestFiles.Write(Local(name), contents);
        return Node.AddAsync([new IngestSource(Local(name), "src/" + name)], new IngestOptions(Reread: true), progress, CancellationToken.None)
            .WaitAsync(Within);
    }

    public Task<GcReport> CollectAsync(GcOptions? options = null, IProgress<GcPhase>? progress = null) =>
        Node.CollectGarbageAsync(options ?? new GcOptions(Wait: TimeSpan.Zero), progress, CancellationToken.None).WaitAsync(Within);

    /// <summary>Restores <c>src/name</c> (from a snapshot when given) and returns its bytes.</summary>
    public async Task<byte[]> RestoreAsync(string name, long? snapshot = null)
    {
        var output = _dir.Combine("out", (++_restores).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await Node.RestoreAsync(new RestoreRequest("src/" + name, output, false, snapshot), null, CancellationToken.None).WaitAsync(Within);
        var bytes = await File.ReadAllBytesAsync(output);
        File.Delete(output);
        return bytes;
    }

    /// <summary>The names of the objects on every backend (a name on two backends counts once).</summary>
    public async Task<HashSet<string>> ObjectsAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var backend in Node.Repository.Backends.All)
        {
            await foreach (var name in backend.ListAsync(CancellationToken.None))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The stored objects, on any backend, that no catalogue row names there.</summary>
    public async Task<IReadOnlyList<string>> UnknownObjectsAsync()
    {
        var unknown = new List<string>();
        using var reader = Node.Repository.Catalog.CreateReader();
        foreach (var backend in Node.Repository.Backends.All)
        {
            var names = new List<string>();
            await foreach (var name in backend.ListAsync(CancellationToken.None))
            {
                names.Add(name);
            }

            unknown.AddRange(reader.FindUnknownObjects(backend.Name, names));
        }

        return unknown;
    }

    /// <summary>Object names of the blocks of <c>src/name</c>.</summary>
    public List<string> ObjectsOf(string name)
    {
        using var reader = Node.Repository.Catalog.CreateReader();
        var entry = reader.GetFile("src/" + name) ?? throw new InvalidOperationException(name + " not catalogued");
        return reader.GetFileBlocks(entry.Id).Select(b => Node.Repository.Key.ObjectName(b.Id)).Distinct().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _dir.Dispose();
    }
}

using Isg.Actors.Catalog;
using Isg.Actors.Runtime;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Sync;

/// <summary>
/// Catalogues for the sync tests, in one actor system: each in its own temp folder, with its own local device and a
/// <see cref="CatalogActor"/>. Disposing shuts the system down, then disposes what was opened, newest first.
/// </summary>
internal sealed class SyncTestCatalogs(string systemName) : IAsyncDisposable
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(30);

    private readonly List<IDisposable> _owned = [];

    public ActorSystem System { get; } = new(systemName);

    /// <summary>Opens catalogue <paramref name="n"/>, whose device id is derived from (<paramref name="n"/>, <paramref name="salt"/>).</summary>
    public (DeviceId Device, CatalogDatabase Database, IActorRef<ICatalogCommand> Catalog) Open(int n, byte salt)
    {
        var directory = new TempDirectory();
        _owned.Add(directory);
        var device = DeviceId.FromHash(Hash256.Compute([(byte)n, salt]));
        var database = OpenNew(directory, new CatalogDatabaseOptions { LocalDevice = device });
        _owned.Add(database);
        return (device, database, System.Spawn<ICatalogCommand>($"catalog-{n}", () => new CatalogActor(database)));
    }

    /// <summary>Commits a one-block file (<see cref="RealFile"/>) at <paramref name="path"/> through the catalogue actor.</summary>
    public static async Task AddAsync(IActorRef<ICatalogCommand> catalog, string path, int content)
    {
        var (file, block) = RealFile(path, content);
        var reply = await catalog.AskAsync<ICatalogCommand, FilesCommitted>(r => new CommitFiles([file], [block], r), s_within, CancellationToken.None);
        Assert.Null(reply.Failure);
    }

    /// <summary>The digest of the whole catalogue.</summary>
    public static CatalogDigest Digest(CatalogDatabase database)
    {
        using var reader = database.CreateReader();
        return reader.ComputeCatalogDigest(string.Empty, null);
    }

    public async ValueTask DisposeAsync()
    {
        await System.ShutdownAsync();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }
}

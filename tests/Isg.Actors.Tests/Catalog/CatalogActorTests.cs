using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;
using Isg.TestKit;
using Microsoft.Extensions.Logging;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogActorTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private readonly RecordingLoggerFactory _logs = new();
    private readonly CatalogDatabase _database;
    private readonly LocalBlockStore _local;
    private readonly FaultyStore _store;
    private readonly ActorSystem _system;
    private readonly IActorRef<ICatalogCommand> _actor;

    public CatalogActorTests()
    {
        _database = OpenNew(_dir);
        _local = new LocalBlockStore(new LocalBlockStoreOptions(_dir.Combine("blocks")));
        _store = new FaultyStore(_local);
        _system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = _logs });
        _actor = _system.Spawn<ICatalogCommand>("catalog", () => new CatalogActor(_database));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _system.ShutdownAsync();
        _local.Dispose();
        _database.Dispose();
        _dir.Dispose();
    }

    private Task<FilesCommitted> CommitAsync(IReadOnlyList<FileCommit> files, IReadOnlyList<StoredBlock> blocks) =>
        _actor.AskAsync<ICatalogCommand, FilesCommitted>(r => new CommitFiles(files, blocks, r), Within, CancellationToken.None);

    private Task<PathRemoved> RemoveAsync(string path, bool recursive) =>
        _actor.AskAsync<ICatalogCommand, PathRemoved>(r => new RemovePath(path, recursive, r), Within, CancellationToken.None);

    private async Task<StoredBlock> StoreAsync(int n, int storedSize = 600)
    {
        var block = Block(n, storedSize: storedSize);
        await _local.PutAsync(block.ObjectName, new byte[storedSize], CancellationToken.None);
        return block;
    }

    private async Task<HashSet<string>> ObjectsAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in _local.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }

    private List<string> Paths()
    {
        using var reader = _database.CreateReader();
        return reader.ListFiles(string.Empty).Select(e => e.Path).ToList();
    }

    [Fact]
    public async Task CommitFiles_ValidFiles_RepliesCommittedAndReadersSeeThem()
    {
        var b1 = await StoreAsync(1);
        var b2 = await StoreAsync(2);

        var reply = await CommitAsync([Directory("docs"), File("docs/a", b1, b2), File("docs/b", b2)], [b1, b2]);

        Assert.Equal(new FilesCommitted(3, null), reply);
        Assert.Equal(["docs", "docs/a", "docs/b"], Paths());
        Assert.Equal(2, Refcount(_database, b2.Id));
    }

    [Fact]
    public async Task CommitFiles_FileNamingAnUnknownBlock_RepliesConstraintFailureAndStaysUsable()
    {
        var b1 = await StoreAsync(1);

        var failed = await CommitAsync([File("a", b1)], []);

        Assert.Equal(0, failed.Files);
        var e = Assert.IsType<CatalogException>(failed.Failure);
        Assert.Equal(CatalogErrorKind.Constraint, e.Kind);
        Assert.Empty(Paths());
        var ok = await CommitAsync([File("a", b1)], [b1]);
        Assert.Null(ok.Failure);
        Assert.Equal(["a"], Paths());
    }

    [Theory]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("")]
    public async Task CommitFiles_InvalidPath_RepliesFailureAndCommitsNothing(string path)
    {
        var b1 = await StoreAsync(1);

        var failed = await CommitAsync([File("fine", b1), File(path, b1)], [b1]);

        Assert.Equal(0, failed.Files);
        Assert.IsAssignableFrom<ArgumentException>(failed.Failure);
        Assert.Empty(Paths());
        Assert.Null((await CommitAsync([File("fine", b1)], [b1])).Failure);
    }

    [Fact]
    public async Task RemovePath_MissingPath_RepliesCatalogPathNotFound()
    {
        var b1 = await StoreAsync(1);
        await CommitAsync([File("present", b1)], [b1]);

        var reply = await RemoveAsync("absent", recursive: true);

        var e = Assert.IsType<CatalogPathNotFoundException>(reply.Failure);
        Assert.Equal("absent", e.CatalogPath);
        Assert.Equal((0, 0, 0L), (reply.Entries, reply.BlocksReleased, reply.BytesReclaimable));
        Assert.Equal(["present"], Paths());
    }

    [Theory]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("..")]
    public async Task RemovePath_InvalidPath_RepliesFailure(string path)
    {
        var reply = await RemoveAsync(path, recursive: false);

        Assert.IsAssignableFrom<ArgumentException>(reply.Failure);
    }

    [Fact]
    public async Task RemovePath_DirectoryWithoutRecursive_RepliesFailureAndRemovesNothing()
    {
        var b1 = await StoreAsync(1);
        await CommitAsync([Directory("dir"), File("dir/a", b1)], [b1]);

        var reply = await RemoveAsync("dir", recursive: false);

        Assert.Equal("dir", Assert.IsType<CatalogPathIsDirectoryException>(reply.Failure).CatalogPath);
        Assert.Contains("recursive", reply.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(["dir", "dir/a"], Paths());
        Assert.Contains(b1.ObjectName, await ObjectsAsync());
    }

    [Fact]
    public async Task RemovePath_EmptyDirectoryWithoutRecursive_RemovesIt()
    {
        await CommitAsync([Directory("empty"), Directory("emptyish")], []);

        var reply = await RemoveAsync("empty", recursive: false);

        Assert.Null(reply.Failure);
        Assert.Equal(1, reply.Entries);
        Assert.Equal(["emptyish"], Paths());
    }

    [Fact]
    public async Task RemovePath_FileWithoutRecursive_ReleasesItsOwnBlocksOnlyAndDeletesNothing()
    {
        var own = await StoreAsync(1, storedSize: 700);
        var shared = await StoreAsync(2);
        await CommitAsync([File("a", own, shared), File("b", shared)], [own, shared]);

        var reply = await RemoveAsync("a", recursive: false);

        Assert.Equal(new PathRemoved(1, 1, 700, null), reply);
        Assert.Equal(["b"], Paths());
        Assert.Equal(new[] { own.ObjectName, shared.ObjectName }.Order(StringComparer.Ordinal), (await ObjectsAsync()).Order(StringComparer.Ordinal));
        using var reader = _database.CreateReader();
        Assert.Equal([own.Id], reader.FindUnreferencedBlocks(10).Select(b => b.Id));
        Assert.Equal(0, Refcount(_database, own.Id));
    }

    [Fact]
    public async Task RemovePath_Recursive_ReleasesOwnBlocksAndKeepsSharedOnesReferenced()
    {
        var onlyX = await StoreAsync(1, storedSize: 100);
        var xAndY = await StoreAsync(2, storedSize: 200);
        var yAndOutside = await StoreAsync(3, storedSize: 300);
        await CommitAsync(
            [Directory("a"), File("a/x", onlyX, xAndY), File("a/y", xAndY, yAndOutside), File("a.txt", yAndOutside), File("ab/z", yAndOutside)],
            [onlyX, xAndY, yAndOutside]);

        var reply = await RemoveAsync("a", recursive: true);

        Assert.Equal(new PathRemoved(3, 2, 300, null), reply);
        Assert.Equal(["a.txt", "ab/z"], Paths());
        Assert.Equal(3, (await ObjectsAsync()).Count);
        using var reader = _database.CreateReader();
        Assert.Single(reader.GetBlockLocations(onlyX.Id));
        Assert.Single(reader.GetBlockLocations(xAndY.Id));
        Assert.Equal(0, Refcount(_database, xAndY.Id));
        Assert.Equal(2, Refcount(_database, yAndOutside.Id));
    }

    [Fact]
    public async Task RemovePath_RecursiveRoot_RemovesEveryEntryAndReportsTheReclaimableBytes()
    {
        var b1 = await StoreAsync(1);
        await CommitAsync([Directory("d"), File("d/f", b1), File("g", b1)], [b1]);

        var reply = await RemoveAsync(string.Empty, recursive: true);

        Assert.Equal(new PathRemoved(3, 1, 600, null), reply);
        Assert.Empty(Paths());
        Assert.Equal([b1.ObjectName], await ObjectsAsync());
    }

    [Fact]
    public async Task RemovePath_StoreRefusesDeletes_SucceedsBecauseItDeletesNoObject()
    {
        var first = await StoreAsync(1);
        var second = await StoreAsync(2);
        await CommitAsync([File("f", first, second)], [first, second]);
        _store.FailDeletes.Add(first.ObjectName);
        _store.FailDeletes.Add(second.ObjectName);

        var reply = await RemoveAsync("f", recursive: false);

        Assert.Equal(new PathRemoved(1, 2, first.StoredSize + second.StoredSize, null), reply);
        Assert.Empty(Paths());
        Assert.Equal(2, (await ObjectsAsync()).Count);
        using var reader = _database.CreateReader();
        Assert.Equal(2, reader.FindUnreferencedBlocks(10).Count);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task CommitFiles_AfterRemovalOfTheSameBlock_ReferencesTheReleasedRowAgain()
    {
        var b1 = await StoreAsync(1);
        await CommitAsync([File("old", b1)], [b1]);
        await RemoveAsync("old", recursive: false);
        Assert.Contains(b1.ObjectName, await ObjectsAsync());

        // The released row still names a stored object: an add dedups against it without storing it again.
        Assert.Null((await CommitAsync([File("new", b1)], [])).Failure);
        Assert.Equal(["new"], Paths());
        Assert.Equal(1, Refcount(_database, b1.Id));
    }
}

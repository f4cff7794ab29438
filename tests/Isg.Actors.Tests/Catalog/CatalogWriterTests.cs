using System.Diagnostics;
using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;
using Xunit.Abstractions;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogWriterTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _directory = new();
    private readonly CatalogDatabase _database;
    private readonly CatalogWriter _writer;

    public CatalogWriterTests(ITestOutputHelper output)
    {
        _output = output;
        _database = OpenNew(_directory);
        _writer = _database.CreateWriter();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _database.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Commit_FileWithBlocks_ReadsBackEverything()
    {
        var file = File("docs/report.pdf", Block(1, plainSize: 4096), Block(2, plainSize: 100)) with
        {
            Mode = 0x180,
            MtimeUnixNs = 1_234_567_890_123_456_789,
        };

        var released = _writer.Commit([file], [Block(1, plainSize: 4096), Block(2, plainSize: 100)]);

        Assert.Empty(released);
        using var reader = _database.CreateReader();
        var entry = reader.GetFile("docs/report.pdf");
        Assert.NotNull(entry);
        Assert.Equal("docs/report.pdf", entry.Path);
        Assert.Equal(FileKind.File, entry.Kind);
        Assert.Equal(4196, entry.Size);
        Assert.Equal(0x180, entry.Mode);
        Assert.Equal(1_234_567_890_123_456_789, entry.MtimeUnixNs);
        Assert.Null(entry.LinkTarget);
        Assert.Equal(file.MerkleRoot, entry.MerkleRoot);
        Assert.Equal(2, entry.BlockCount);
        Assert.Equal(file.Blocks, reader.GetFileBlocks(entry.Id).ToList());
        Assert.Equal(file.Manifest, reader.GetManifest(entry.Id));
        Assert.Equal(Block(1, plainSize: 4096), reader.GetBlock(Id(1), "local"));
        Assert.Null(reader.GetBlock(Id(1), "s3"));
        Assert.Null(reader.GetFile("docs"));
    }

    [Fact]
    public void Commit_DirectoryAndSymlink_StoredWithoutBlocks()
    {
        var link = new FileCommit("bin/tool", FileKind.Symlink, 0, 0x1FF, 5, "../lib/tool", Hash256.Empty, [], []);

        _writer.Commit([Directory("bin"), link], []);

        using var reader = _database.CreateReader();
        Assert.Equal(FileKind.Directory, reader.GetFile("bin")!.Kind);
        var entry = reader.GetFile("bin/tool")!;
        Assert.Equal(FileKind.Symlink, entry.Kind);
        Assert.Equal("../lib/tool", entry.LinkTarget);
        Assert.Empty(reader.GetFileBlocks(entry.Id));
        Assert.Empty(reader.GetManifest(entry.Id)!);
    }

    [Fact]
    public void Commit_AddedAt_ComesFromTheTimeProvider()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero));
        using var directory = new TempDirectory();
        using var database = CatalogDatabase.Open(directory.Path, new CatalogDatabaseOptions { TimeProvider = clock });
        using var writer = database.CreateWriter();

        writer.Commit([File("a", Block(1))], [Block(1)]);

        using var reader = database.CreateReader();
        Assert.Equal(clock.GetUtcNow(), reader.GetFile("a")!.AddedAt);
    }

    [Fact]
    public void Commit_ReplacingFile_AdjustsRefcountsAndReturnsReleasedBlocks()
    {
        _writer.Commit([File("a", Block(1), Block(2))], [Block(1), Block(2)]);
        using var reader = _database.CreateReader();
        var oldId = reader.GetFile("a")!.Id;

        var released = _writer.Commit([File("a", Block(2), Block(3))], [Block(3)]);

        Assert.Equal(new[] { Block(1) }, released);
        Assert.Equal(0, Refcount(_database, Id(1)));
        Assert.Equal(1, Refcount(_database, Id(2)));
        Assert.Equal(1, Refcount(_database, Id(3)));
        var entry = reader.GetFile("a")!;
        Assert.NotEqual(oldId, entry.Id);
        Assert.Equal(new[] { Id(2), Id(3) }, reader.GetFileBlocks(entry.Id).Select(b => b.Id).ToList());
        Assert.Empty(reader.GetFileBlocks(oldId));
        Assert.Null(reader.GetManifest(oldId));
        Assert.True(reader.HasBlock(Id(1))); // released but still recorded: known to dedup until gc forgets it
        Assert.Empty(_database.IntegrityCheck());
    }

    [Fact]
    public void Commit_SamePathTwiceInOneCall_LastOneWins()
    {
        _writer.Commit([File("a", Block(1)), File("a", Block(2))], [Block(1), Block(2)]);

        using var reader = _database.CreateReader();
        var entry = reader.GetFile("a")!;
        Assert.Equal(new[] { Id(2) }, reader.GetFileBlocks(entry.Id).Select(b => b.Id).ToList());
        Assert.Equal(0, Refcount(_database, Id(1)));
        Assert.Empty(_database.IntegrityCheck());
    }

    [Fact]
    public void Commit_SharedBlocks_DedupRefcounts()
    {
        _writer.Commit([File("a", Block(1), Block(2)), File("b", Block(1), Block(3))], [Block(1), Block(2), Block(3)]);

        Assert.Equal(2, Refcount(_database, Id(1)));
        Assert.Equal(1, Refcount(_database, Id(2)));

        var first = _writer.RemoveFiles("a", recursive: false);

        Assert.Equal(new[] { Block(2) }, first);
        Assert.Equal(1, Refcount(_database, Id(1)));

        var second = _writer.RemoveFiles("b", recursive: false);

        Assert.Equal(new[] { Block(1), Block(3) }, second.OrderBy(b => b.Id).ToList());
        Assert.Equal(0, Refcount(_database, Id(1)));
        Assert.Empty(_database.IntegrityCheck());
    }

    [Fact]
    public void Commit_BlockRepeatedInsideOneFile_CountsEachUse()
    {
        _writer.Commit([File("zeros", Block(1), Block(1), Block(1))], [Block(1)]);

        Assert.Equal(3, Refcount(_database, Id(1)));

        var released = _writer.RemoveFiles("zeros", recursive: false);

        Assert.Equal(new[] { Block(1) }, released);
    }

    [Fact]
    public void Commit_ExistingBlockInNewBlocks_IsKeptAndLocationAdded()
    {
        _writer.Commit([File("a", Block(1))], [Block(1)]);

        _writer.Commit([File("b", Block(1))], [Block(1, backend: "s3", plainSize: 1000, storedSize: 999)]);

        using var reader = _database.CreateReader();
        Assert.Equal(600, reader.GetBlock(Id(1), "s3")!.StoredSize);
        Assert.Equal(new[] { "local", "s3" }, reader.GetBlockLocations(Id(1)).Select(b => b.Backend).ToList());
        Assert.Equal(2, Refcount(_database, Id(1)));
    }

    [Fact]
    public void RemoveFiles_BlockOnTwoBackends_ReturnsBothLocations()
    {
        _writer.Commit([File("a", Block(1))], [Block(1), Block(1, backend: "s3")]);

        var released = _writer.RemoveFiles("a", recursive: false);

        Assert.Equal(new[] { "local", "s3" }, released.Select(b => b.Backend).ToList());
        Assert.All(released, b => Assert.Equal(Id(1), b.Id));
    }

    [Fact]
    public void ForgetBlocks_AfterRelease_RemovesBlockAndLocations()
    {
        _writer.Commit([File("a", Block(1)), File("b", Block(2))], [Block(1), Block(2)]);
        var released = _writer.RemoveFiles("a", recursive: false);

        var forgotten = _writer.ForgetBlocks(released.Select(b => b.Id));

        Assert.Equal(1, forgotten);
        Assert.Equal(0, Scalar(_database, "SELECT count(*) FROM blocks WHERE id = $p0", Id(1).ToArray()));
        Assert.Equal(0, Scalar(_database, "SELECT count(*) FROM chunks WHERE block_id = $p0", Id(1).ToArray()));
        Assert.Equal(0, _writer.ForgetBlocks(released.Select(b => b.Id)));
        Assert.Empty(_database.IntegrityCheck());
    }

    [Fact]
    public void ForgetBlocks_BlockReferencedAgain_IsKept()
    {
        _writer.Commit([File("a", Block(1))], [Block(1)]);
        var released = _writer.RemoveFiles("a", recursive: false);
        _writer.Commit([File("b", Block(1))], [Block(1)]);

        var forgotten = _writer.ForgetBlocks(released.Select(b => b.Id));

        Assert.Equal(0, forgotten);
        using var reader = _database.CreateReader();
        Assert.NotNull(reader.GetBlock(Id(1), "local"));
        Assert.Empty(_database.IntegrityCheck());
    }

    [Fact]
    public void RemoveFiles_NonRecursive_RemovesOnlyTheExactPath()
    {
        _writer.Commit([Directory("dir"), File("dir/a", Block(1)), File("dirx", Block(2))], [Block(1), Block(2)]);

        var released = _writer.RemoveFiles("dir", recursive: false);

        Assert.Empty(released);
        using var reader = _database.CreateReader();
        Assert.Equal(new[] { "dir/a", "dirx" }, reader.ListFiles("").Select(f => f.Path).ToList());
    }

    [Fact]
    public void RemoveFiles_Recursive_RemovesSubtreeButNotSiblingsSharingThePrefix()
    {
        string[] paths = ["dir", "dir/a", "dir/b/c", "dir.txt", "dir-x/y", "dirx/z", "dir0", "di"];
        var files = paths.Select((p, i) => File(p, Block(i))).ToList();
        _writer.Commit(files, [.. Enumerable.Range(0, paths.Length).Select(i => Block(i))]);

        var released = _writer.RemoveFiles("dir", recursive: true);

        Assert.Equal(new HashSet<BlockId> { Id(0), Id(1), Id(2) }, released.Select(b => b.Id).ToHashSet());
        using var reader = _database.CreateReader();
        Assert.Equal(new[] { "di", "dir-x/y", "dir.txt", "dir0", "dirx/z" }, reader.ListFiles("").Select(f => f.Path).ToList());
        Assert.Empty(_database.IntegrityCheck());
    }

    [Fact]
    public void RemoveFiles_EmptyPrefixRecursive_RemovesEverything()
    {
        _writer.Commit([File("a", Block(1)), File("b/c", Block(2))], [Block(1), Block(2)]);

        var released = _writer.RemoveFiles("", recursive: true);

        Assert.Equal(2, released.Count);
        using var reader = _database.CreateReader();
        Assert.Empty(reader.ListFiles(""));
    }

    [Fact]
    public void RemoveFiles_MissingPath_ReturnsNothing()
    {
        Assert.Empty(_writer.RemoveFiles("nothing/here", recursive: true));
        Assert.Empty(_writer.RemoveFiles("nothing", recursive: false));
    }

    [Fact]
    public void Commit_UnknownBlock_ThrowsConstraintAndWritesNothing()
    {
        var error = Assert.Throws<CatalogException>(() => _writer.Commit([File("ok", Block(1)), File("bad", Block(2))], [Block(1)]));

        Assert.Equal(CatalogErrorKind.Constraint, error.Kind);
        Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Id(2).ToHex(), error.Message, StringComparison.Ordinal);
        using var reader = _database.CreateReader();
        Assert.Empty(reader.ListFiles(""));
        Assert.False(reader.HasBlock(Id(1)));
        Assert.Equal(0, Scalar(_database, "SELECT count(*) FROM blocks"));

        _writer.Commit([File("ok", Block(1))], [Block(1)]);
        Assert.NotNull(reader.GetFile("ok"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("trailing/")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("../up")]
    [InlineData("nul\0byte")]
    public void Commit_InvalidPath_ThrowsArgumentException(string path)
    {
        Assert.Throws<ArgumentException>(() => _writer.Commit([File(path, Block(1))], [Block(1)]));
    }

    [Fact]
    public void Commit_BlocksNotTilingTheFile_ThrowsArgumentException()
    {
        var file = File("a", Block(1), Block(2));
        var gap = file with { Blocks = [file.Blocks[0], file.Blocks[1] with { Offset = 1001 }] };
        var wrongSize = file with { Size = 5 };
        var misnumbered = file with { Blocks = [file.Blocks[0], file.Blocks[1] with { Seq = 7 }] };
        var directoryWithBlocks = Directory("d") with { Blocks = file.Blocks };

        Assert.Throws<ArgumentException>(() => _writer.Commit([gap], [Block(1), Block(2)]));
        Assert.Throws<ArgumentException>(() => _writer.Commit([wrongSize], [Block(1), Block(2)]));
        Assert.Throws<ArgumentException>(() => _writer.Commit([misnumbered], [Block(1), Block(2)]));
        Assert.Throws<ArgumentException>(() => _writer.Commit([directoryWithBlocks], [Block(1), Block(2)]));
    }

    [Fact]
    public void SetConfig_Twice_KeepsLastValue()
    {
        _writer.SetConfig("k", "one");
        _writer.SetConfig("k", "two");

        using var reader = _database.CreateReader();
        Assert.Equal("two", reader.GetConfig("k"));
        Assert.Null(reader.GetConfig("missing"));
    }

    [Fact]
    public void LogAccess_BufferedUntilFlushCommitOrBatch()
    {
        _writer.Commit([File("a", Block(1))], [Block(1)]);

        _writer.LogAccess(AccessKind.Read, Id(1), 1);
        _writer.LogAccess(AccessKind.Verify, Id(1), null);

        Assert.Equal(0, Scalar(_database, "SELECT count(*) FROM access_log"));
        _writer.FlushAccessLog();
        Assert.Equal(2, Scalar(_database, "SELECT count(*) FROM access_log"));

        _writer.LogAccess(AccessKind.Read, null, 1);
        _writer.Commit([], []);
        Assert.Equal(3, Scalar(_database, "SELECT count(*) FROM access_log"));

        for (var i = 0; i < 256; i++)
        {
            _writer.LogAccess(AccessKind.Write, Id(i), null);
        }

        Assert.Equal(3 + 256, Scalar(_database, "SELECT count(*) FROM access_log"));
        Assert.Equal(2, Scalar(_database, "SELECT kind FROM access_log WHERE id = 2"));
        Assert.Throws<ArgumentException>(() => _writer.LogAccess(AccessKind.Read, null, null));
    }

    [Fact]
    public void Dispose_WritesPendingAccessLog()
    {
        using var directory = new TempDirectory();
        using var database = OpenNew(directory);
        var writer = database.CreateWriter();
        writer.LogAccess(AccessKind.Read, Id(1), null);

        writer.Dispose();

        Assert.Equal(1, Scalar(database, "SELECT count(*) FROM access_log"));
        Assert.Throws<ObjectDisposedException>(() => writer.Commit([], []));
    }

    [Fact]
    public void Commit_TwoThousandSmallFiles_IsOneFastTransaction()
    {
        const int Count = 2000;
        var blocks = Enumerable.Range(0, Count).Select(i => Block(i, plainSize: 3000, storedSize: 1500)).ToList();
        var files = blocks.Select((b, i) => File($"photos/2024/{i:D5}.jpg", b)).ToList();
        var commits = 0;
        SQLitePCL.raw.sqlite3_commit_hook(_writer.Connection.Handle, _ =>
        {
            Interlocked.Increment(ref commits);
            return 0;
        }, null);
        // Warm up the prepared statements and the page cache outside the measurement.
        _writer.Commit([File("warmup", Block(-1))], [Block(-1)]);
        commits = 0;

        var stopwatch = Stopwatch.StartNew();
        _writer.Commit(files, blocks);
        var first = stopwatch.Elapsed;
        var replacements = files.Select(f => f with { MtimeUnixNs = 42 }).ToList();
        stopwatch.Restart();
        _writer.Commit(replacements, []);
        var second = stopwatch.Elapsed;

        _output.WriteLine($"commit of {Count} new small files: {first.TotalMilliseconds:F1} ms ({Count / first.TotalSeconds:F0} files/s)");
        _output.WriteLine($"commit replacing {Count} small files: {second.TotalMilliseconds:F1} ms ({Count / second.TotalSeconds:F0} files/s)");
        Assert.Equal(2, commits);
        using var reader = _database.CreateReader();
        Assert.Equal(Count + 1, reader.GetStats().Files);
        Assert.All(reader.ListFiles("photos"), f => Assert.Equal(42, f.MtimeUnixNs));
        Assert.Empty(_database.IntegrityCheck());
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

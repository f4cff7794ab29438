using System.Text;
using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogReaderTests : IDisposable
{
    private readonly CatalogFixture _catalog = new();

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void ListFiles_Prefix_MatchesEntryAndDescendantsOnly()
    {
        string[] paths = ["dir", "dir/a", "dir/b/c", "dir.txt", "dir-x/y", "dirx/z", "dir0", "di", "e", "dir/b"];
        Commit(paths);
        using var reader = _catalog.Database.CreateReader();

        Assert.Equal(new[] { "dir", "dir/a", "dir/b", "dir/b/c" }, Paths(reader, "dir"));
        Assert.Equal(new[] { "dir/b", "dir/b/c" }, Paths(reader, "dir/b"));
        Assert.Equal(new[] { "dirx/z" }, Paths(reader, "dirx"));
        Assert.Empty(Paths(reader, "dir/a/deeper"));
        Assert.Empty(Paths(reader, "d"));
        Assert.Equal(paths.Order(StringComparer.Ordinal), Paths(reader, ""));
    }

    [Fact]
    public void ListFiles_PrefixWithoutOwnEntry_ListsDescendants()
    {
        Commit(["photos/2023/a.jpg", "photos/2024/b.jpg", "photos-old/c.jpg"]);
        using var reader = _catalog.Database.CreateReader();

        Assert.Equal(new[] { "photos/2023/a.jpg", "photos/2024/b.jpg" }, Paths(reader, "photos"));
    }

    [Fact]
    public void ListFiles_UnicodeNames_SortByUtf8BytesAndMatchPrefixes()
    {
        string[] paths = ["ü/datei", "ü/ä", "ü-x/y", "üx", "日本/ファイル", "日本語/x", "𝄞/note", "\uFFFD/r", "a/ß", "A/b", "é", "e\u0301"];
        Commit(paths);
        using var reader = _catalog.Database.CreateReader();

        var expected = paths.Order(Utf8Order.Instance).ToList();
        Assert.Equal(expected, Paths(reader, ""));
        Assert.Equal(new[] { "ü/datei", "ü/ä" }, Paths(reader, "ü"));
        Assert.Equal(new[] { "日本/ファイル" }, Paths(reader, "日本"));
        Assert.Equal(new[] { "𝄞/note" }, Paths(reader, "𝄞"));
        // Precomposed and decomposed forms are different names: stored as given, never normalised.
        Assert.NotNull(reader.GetFile("é"));
        Assert.NotNull(reader.GetFile("e\u0301"));
        Assert.NotEqual(reader.GetFile("é")!.Id, reader.GetFile("e\u0301")!.Id);
    }

    [Fact]
    public void ListFiles_DeepNesting_ReturnsEveryLevelBelowThePrefix()
    {
        var segments = Enumerable.Range(0, 120).Select(i => "level" + i).ToArray();
        var paths = Enumerable.Range(1, segments.Length).Select(n => string.Join('/', segments.Take(n))).ToArray();
        Commit(paths);
        using var reader = _catalog.Database.CreateReader();

        var middle = paths[59];
        var below = Paths(reader, middle);

        Assert.Equal(paths.Skip(59).Order(StringComparer.Ordinal), below);
        Assert.Equal(paths.Length, Paths(reader, "level0").Count);
    }

    [Theory]
    [InlineData("/dir")]
    [InlineData("dir/")]
    [InlineData("a//b")]
    public void ListFiles_InvalidPrefix_ThrowsArgumentException(string prefix)
    {
        using var reader = _catalog.Database.CreateReader();

        Assert.Throws<ArgumentException>(() => reader.ListFiles(prefix));
    }

    [Fact]
    public void ListFiles_NestedBlockReads_WorkWhileStreaming()
    {
        _catalog.Writer.Commit([File("a", Block(1), Block(2)), File("b", Block(3)), File("c", Block(1))], [Block(1), Block(2), Block(3)]);
        using var reader = _catalog.Database.CreateReader();

        var seen = new List<(string, BlockId)>();
        foreach (var file in reader.ListFiles(""))
        {
            foreach (var block in reader.GetFileBlocks(file.Id))
            {
                seen.Add((file.Path, block.Id));
                Assert.True(reader.HasBlock(block.Id));
            }
        }

        Assert.Equal(new[] { ("a", Id(1)), ("a", Id(2)), ("b", Id(3)), ("c", Id(1)) }, seen);
    }

    [Fact]
    public void ListFiles_AbandonedEnumeration_ReleasesItsCommand()
    {
        Commit(["a", "b", "c"]);
        using var reader = _catalog.Database.CreateReader();

        using (var enumerator = reader.ListFiles("").GetEnumerator())
        {
            Assert.True(enumerator.MoveNext());
        }

        Assert.Equal(3, Paths(reader, "").Count);
    }

    [Fact]
    public void GetStats_ComputesTotalsAndRatios()
    {
        var x = Block(1, plainSize: 1000, storedSize: 600);
        var y = Block(2, plainSize: 2000, storedSize: 1000);
        var z = Block(3, plainSize: 1000, storedSize: 400);
        _catalog.Writer.Commit([File("a", x, y), File("b", x, z), File("c", x), Directory("d"), Directory("d/e")], [x, y, z]);
        using var reader = _catalog.Database.CreateReader();

        var stats = reader.GetStats();

        Assert.Equal(new CatalogStats(Files: 3, Directories: 2, LogicalBytes: 3000 + 2000 + 1000, UniqueBlocks: 3, UniquePlainBytes: 4000, StoredBytes: 2000), stats);
        Assert.Equal(6000.0 / 4000, stats.DedupRatio, 12);
        Assert.Equal(4000.0 / 2000, stats.CompressionRatio, 12);

        _catalog.Writer.RemoveFiles("a", recursive: false);
        var after = reader.GetStats();

        Assert.Equal(2, after.UniqueBlocks);
        Assert.Equal(2000, after.UniquePlainBytes);
        Assert.Equal(1000, after.StoredBytes);
    }

    [Fact]
    public void GetStats_EmptyCatalogue_IsZeroWithNeutralRatios()
    {
        using var reader = _catalog.Database.CreateReader();

        var stats = reader.GetStats();

        Assert.Equal(new CatalogStats(0, 0, 0, 0, 0, 0), stats);
        Assert.Equal(1.0, stats.DedupRatio);
        Assert.Equal(1.0, stats.CompressionRatio);
    }

    [Fact]
    public void FindKnownBlocks_ManyIdsAcrossBatches_ReturnsExactlyTheRecordedOnes()
    {
        var stored = Enumerable.Range(0, 70).Select(i => Block(i * 2)).ToList();
        _catalog.Writer.Commit(stored.Select((b, i) => File("f" + i, b)).ToList(), stored);
        _catalog.Writer.RemoveFiles("f0", recursive: false);
        var asked = Enumerable.Range(0, 150).Select(Id).ToList();
        using var reader = _catalog.Database.CreateReader();

        var known = reader.FindKnownBlocks(asked);

        // f0's block is released (refcount 0) but still recorded: it counts as known.
        var expected = Enumerable.Range(0, 70).Select(i => Id(i * 2)).Where(id => asked.Contains(id)).ToHashSet();
        Assert.True(expected.SetEquals(known), $"expected {expected.Count}, got {known.Count}");
        Assert.Empty(reader.FindKnownBlocks([]));
        Assert.Single(reader.FindKnownBlocks([Id(2)]));
    }

    [Fact]
    public void FindUnreferencedBlocks_AfterRelease_ListsThemUntilForgotten()
    {
        _catalog.Writer.Commit([File("a", Block(1), Block(2)), File("b", Block(3))], [Block(1), Block(2), Block(3)]);
        _catalog.Writer.RemoveFiles("a", recursive: false);
        using var reader = _catalog.Database.CreateReader();

        var pending = reader.FindUnreferencedBlocks(limit: 10);

        Assert.Equal(new HashSet<BlockId> { Id(1), Id(2) }, pending.Select(b => b.Id).ToHashSet());
        Assert.Single(reader.FindUnreferencedBlocks(limit: 1));
        _catalog.Writer.ForgetBlocks(pending.Select(b => b.Id));
        Assert.Empty(reader.FindUnreferencedBlocks(limit: 10));
    }

    [Fact]
    public void BeginSnapshot_WriterCommitsMeanwhile_ReaderSeesTheOldStateUntilDisposed()
    {
        _catalog.Writer.Commit([File("a", Block(1))], [Block(1)]);
        using var reader = _catalog.Database.CreateReader();

        var snapshot = reader.BeginSnapshot();
        _catalog.Writer.Commit([File("b", Block(2))], [Block(2)]);

        Assert.Null(reader.GetFile("b"));
        Assert.Equal(1, reader.GetStats().Files);
        Assert.Throws<InvalidOperationException>(() => reader.BeginSnapshot());
        snapshot.Dispose();
        snapshot.Dispose();
        Assert.NotNull(reader.GetFile("b"));
    }

    [Fact]
    public void Reader_AfterDispose_Throws()
    {
        var reader = _catalog.Database.CreateReader();
        reader.Dispose();

        Assert.Throws<ObjectDisposedException>(() => reader.GetFile("a"));
        Assert.Throws<ObjectDisposedException>(() => reader.ListFiles(""));
    }

    [Fact]
    public async Task Readers_WhileWriterCommits_NeverSeeHalfACommit()
    {
        // Every commit replaces all ten files of a generation with ten new ones: each has the generation's shared
        // block and one block of its own, and its mtime is the generation. A reader that saw half a commit would see
        // mixed mtimes, a file whose blocks do not match its block count, or more than 11 live blocks.
        const int FilesPerGeneration = 10;
        const int Generations = 150;
        _catalog.Writer.Commit(Generation(0), GenerationBlocks(0));
        using var done = new CancellationTokenSource();
        var readerRounds = new int[2];

        var readers = Enumerable.Range(0, readerRounds.Length).Select(r => Task.Factory.StartNew(() =>
        {
            using var reader = _catalog.Database.CreateReader();
            do
            {
                var listed = reader.ListFiles("g").ToList();
                Assert.Equal(FilesPerGeneration, listed.Count);
                Assert.Single(listed.Select(f => f.MtimeUnixNs).Distinct());

                using (reader.BeginSnapshot())
                {
                    var files = reader.ListFiles("g").ToList();
                    var generation = files[0].MtimeUnixNs;
                    foreach (var file in files)
                    {
                        Assert.Equal(generation, file.MtimeUnixNs);
                        var blocks = reader.GetFileBlocks(file.Id).ToList();
                        Assert.Equal(file.BlockCount, blocks.Count);
                        Assert.Equal(SharedId(generation), blocks[0].Id);
                    }

                    var stats = reader.GetStats();
                    Assert.Equal(FilesPerGeneration, stats.Files);
                    Assert.Equal(FilesPerGeneration + 1, stats.UniqueBlocks);
                }

                readerRounds[r]++;
            }
            while (!done.IsCancellationRequested);
        }, TaskCreationOptions.LongRunning)).ToArray();

        try
        {
            for (var generation = 1; generation <= Generations; generation++)
            {
                var released = _catalog.Writer.Commit(Generation(generation), GenerationBlocks(generation));
                Assert.Equal(FilesPerGeneration + 1, released.Count);
                _catalog.Writer.ForgetBlocks(released.Select(b => b.Id));
                if (generation % 50 == 0)
                {
                    Assert.Empty(_catalog.Database.IntegrityCheck());
                }
            }
        }
        finally
        {
            done.Cancel();
        }

        await Task.WhenAll(readers);
        Assert.All(readerRounds, rounds => Assert.True(rounds > 0));
        Assert.Empty(_catalog.Database.IntegrityCheck());

        static BlockId SharedId(long generation) => BlockId.Compute(Encoding.UTF8.GetBytes("shared" + generation));

        static List<StoredBlock> GenerationBlocks(int generation)
        {
            var blocks = new List<StoredBlock> { new(SharedId(generation), 100, 50, 1, "local", SharedId(generation).ToHex()) };
            for (var i = 0; i < FilesPerGeneration; i++)
            {
                var id = BlockId.Compute(Encoding.UTF8.GetBytes($"own{generation}/{i}"));
                blocks.Add(new StoredBlock(id, 100, 50, 1, "local", id.ToHex()));
            }

            return blocks;
        }

        static List<FileCommit> Generation(int generation)
        {
            var blocks = GenerationBlocks(generation);
            return Enumerable.Range(0, FilesPerGeneration)
                .Select(i => File($"g/{i}", blocks[0], blocks[i + 1]) with { MtimeUnixNs = generation })
                .ToList();
        }
    }

    private void Commit(IEnumerable<string> paths)
    {
        var list = paths.ToList();
        _catalog.Writer.Commit(list.Select((p, i) => File(p, Block(i))).ToList(), Enumerable.Range(0, list.Count).Select(i => Block(i)).ToList());
    }

    private static List<string> Paths(CatalogReader reader, string prefix) => reader.ListFiles(prefix).Select(f => f.Path).ToList();

    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x!).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y!));
    }
}

using Isg.Actors.Catalog;
using Isg.Actors.Ingest;
using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Ingest;

public sealed class SourceWalkerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<(string Path, string Reason)> _skipped = [];

    public void Dispose() => _dir.Dispose();

    private string Src => _dir.Combine("src");

    private List<IngestItem> Walk(params IngestSource[] sources) => SourceWalker.Walk(sources, (path, reason) => _skipped.Add((path, reason)));

    private void Touch(string relative, int length = 1) => TestFiles.Write(Path.Combine(Src, relative), new byte[length]);

    [Fact]
    public void Walk_Tree_DirectoryBeforeChildrenInOrdinalOrder()
    {
        Touch("b.txt");
        Touch("a/z");
        Touch("a/B");
        Touch("a/b");
        Touch("a/c/d");
        Touch("a.txt");
        Touch("A");

        var items = Walk(new IngestSource(Src, "top"));

        Assert.Equal(
            ["top", "top/A", "top/a", "top/a/B", "top/a/b", "top/a/c", "top/a/c/d", "top/a/z", "top/a.txt", "top/b.txt"],
            items.Select(i => i.CatalogPath));
        Assert.Equal(Path.Combine(Src, "a", "c", "d"), items.Single(i => i.CatalogPath == "top/a/c/d").LocalPath);
        Assert.Empty(_skipped);
    }

    [Fact]
    public void Walk_Entries_CarryKindSizeModeAndMtime()
    {
        Touch("dir/file", length: 777);
        var file = Path.Combine(Src, "dir", "file");
        File.SetUnixFileMode(file, (UnixFileMode)0x1E4);
        NativeFileSystem.SetModificationTime(file, 1_600_000_000_987_654_321);

        var items = Walk(new IngestSource(Src, "s"));

        var dir = items.Single(i => i.CatalogPath == "s/dir");
        Assert.Equal(FileKind.Directory, dir.Kind);
        Assert.Equal(0, dir.Size);
        Assert.Null(dir.LinkTarget);
        var entry = items.Single(i => i.CatalogPath == "s/dir/file");
        Assert.Equal(new IngestItem(file, "s/dir/file", FileKind.File, 777, 0x1E4, 1_600_000_000_987_654_321, null), entry);
    }

    [Fact]
    public void Walk_SingleFileSource_IsOneItem()
    {
        Touch("only.bin", length: 10);

        var items = Walk(new IngestSource(Path.Combine(Src, "only.bin"), "docs/only.bin"));

        var item = Assert.Single(items);
        Assert.Equal(FileKind.File, item.Kind);
        Assert.Equal("docs/only.bin", item.CatalogPath);
        Assert.Equal(10, item.Size);
    }

    [Fact]
    public void Walk_Symlinks_AreRecordedWithTheirTargetAndNeverFollowed()
    {
        Touch("real/inside.txt");
        Directory.CreateSymbolicLink(Path.Combine(Src, "to-dir"), "real");
        File.CreateSymbolicLink(Path.Combine(Src, "to-file"), "real/inside.txt");
        File.CreateSymbolicLink(Path.Combine(Src, "dangling"), "../nowhere");
        File.CreateSymbolicLink(Path.Combine(Src, "absolute"), "/etc/hostname");

        var items = Walk(new IngestSource(Src, "s"));

        Assert.Equal(["s", "s/absolute", "s/dangling", "s/real", "s/real/inside.txt", "s/to-dir", "s/to-file"], items.Select(i => i.CatalogPath));
        var links = items.Where(i => i.Kind == FileKind.Symlink).ToDictionary(i => i.CatalogPath, i => i.LinkTarget);
        Assert.Equal("real", links["s/to-dir"]);
        Assert.Equal("real/inside.txt", links["s/to-file"]);
        Assert.Equal("../nowhere", links["s/dangling"]);
        Assert.Equal("/etc/hostname", links["s/absolute"]);
        Assert.All(items.Where(i => i.Kind == FileKind.Symlink), i => Assert.Equal(0, i.Size));
        Assert.Empty(_skipped);
    }

    [Fact]
    public void Walk_SourceThatIsASymlinkToADirectory_IsRecordedNotEntered()
    {
        Touch("real/inside.txt");
        var link = _dir.Combine("link");
        Directory.CreateSymbolicLink(link, Path.Combine(Src, "real"));

        var item = Assert.Single(Walk(new IngestSource(link, "l")));

        Assert.Equal(FileKind.Symlink, item.Kind);
        Assert.Equal(Path.Combine(Src, "real"), item.LinkTarget);
    }

    [Fact]
    public void Walk_Fifo_IsSkippedWithAReasonAndTheWalkGoesOn()
    {
        Touch("a.txt");
        Touch("z.txt");
        var fifo = Path.Combine(Src, "m.pipe");
        TestFiles.MakeFifo(fifo);

        var items = Walk(new IngestSource(Src, "s"));

        Assert.Equal(["s", "s/a.txt", "s/z.txt"], items.Select(i => i.CatalogPath));
        var (path, reason) = Assert.Single(_skipped);
        Assert.Equal(fifo, path);
        Assert.Contains("FIFO", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Walk_MissingSource_IsSkippedWithAReason()
    {
        Touch("present");
        var missing = _dir.Combine("missing");

        var items = Walk(new IngestSource(missing, "gone"), new IngestSource(Src, "s"));

        Assert.Equal(["s", "s/present"], items.Select(i => i.CatalogPath));
        var (path, reason) = Assert.Single(_skipped);
        Assert.Equal(missing, path);
        Assert.Contains(missing, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Walk_DuplicateAndNestedSources_VisitEachEntryOnce()
    {
        Touch("a/x");
        Touch("b");

        var items = Walk(new IngestSource(Src, "s"), new IngestSource(Src, "s"), new IngestSource(Path.Combine(Src, "a"), "s/a"));

        Assert.Equal(["s", "s/a", "s/a/x", "s/b"], items.Select(i => i.CatalogPath));
    }

    [Fact]
    public void Walk_UnicodeNames_ArePreservedExactly()
    {
        const string Composed = "caf\u00e9";
        const string Decomposed = "cafe\u0301";
        Touch(Composed);
        Touch(Decomposed);
        Touch("日本語/ファイル.txt");
        Touch("emoji-😀");

        var items = Walk(new IngestSource(Src, "u"));

        var paths = items.Select(i => i.CatalogPath).ToList();
        Assert.Equal(6, paths.Count);
        // Both normal forms stay distinct: names are never normalised.
        Assert.Contains("u/" + Composed, paths);
        Assert.Contains("u/" + Decomposed, paths);
        Assert.Contains("u/日本語/ファイル.txt", paths);
        Assert.Contains("u/emoji-😀", paths);
        Assert.Equal(paths.Order(StringComparer.Ordinal).Where(p => !p.StartsWith("u/日本語/", StringComparison.Ordinal)),
            paths.Where(p => !p.StartsWith("u/日本語/", StringComparison.Ordinal)));
        Assert.All(items.Where(i => i.Kind == FileKind.File), i => Assert.True(File.Exists(i.LocalPath)));
    }

    [Fact]
    public void Walk_EmptyDirectory_IsOneItem()
    {
        Directory.CreateDirectory(Src);

        var item = Assert.Single(Walk(new IngestSource(Src, "empty")));

        Assert.Equal(FileKind.Directory, item.Kind);
    }

    [Fact]
    public void Walk_ExcludedFolder_IsLeftOutWithEverythingBelowIt()
    {
        var root = _dir.Combine("home");
        Directory.CreateDirectory(Path.Combine(root, "repo", "blocks"));
        File.WriteAllText(Path.Combine(root, "repo", "blocks", "x"), "x");
        Directory.CreateDirectory(Path.Combine(root, "repository-notes"));
        File.WriteAllText(Path.Combine(root, "a.txt"), "a");

        var items = SourceWalker.Walk([new IngestSource(root, "home")], (path, reason) => _skipped.Add((path, reason)), Path.Combine(root, "repo"));

        Assert.Equal(["home", "home/a.txt", "home/repository-notes"], items.Select(i => i.CatalogPath));
        Assert.Empty(_skipped);
    }
}

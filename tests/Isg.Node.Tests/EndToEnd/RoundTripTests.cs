using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg add` then `isg get` through the real CLI: bytes, modes and nanosecond mtimes come back exactly.</summary>
public sealed class RoundTripTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((3 << 20) + 17)]
    public async Task AddGet_SingleFileOfSize_RoundTripsBitExact(int size)
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("data"), seed: 100 + size);
        tree.AddFile("file.bin", size);
        tree.Seal();

        await AddAndRestoreAsync(sandbox, "data");

        var stats = (await sandbox.RunAsync("stats", "--json")).AssertExit(0).Json();
        Assert.Equal(1, stats.GetProperty("files").GetInt64());
        Assert.Equal(size, stats.GetProperty("logicalBytes").GetInt64());
    }

    [Fact]
    public async Task AddGet_ThreeThousandSmallFilesInNestedDirectories_RoundTripBitExact()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("many"), seed: 3000);
        tree.AddManyFiles("", 3000, maxDepth: 6, maxSize: 6000);
        tree.Seal();
        Assert.Equal(3000, TestTree.Snapshot(tree.Root).Count(e => e.Kind == 'f'));
        Assert.InRange(TestTree.Snapshot(tree.Root).Count(e => e.Kind == 'd' && e.Path.Length > 0), 20, 300);

        await AddAndRestoreAsync(sandbox, "many");
    }

    [Fact]
    public async Task AddGet_UnicodeDeepEmptySymlinksAndOddMetadata_RoundTripBitExact()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("odd"), seed: 7);
        tree.AddFile("naïve/日本語 ファイル.txt", 1234, ContentKind.Text);
        tree.AddFile("🎉 party/🦄 unicorn.bin", 4321);
        tree.AddFile("with spaces/a b  c .txt", 10, ContentKind.Text);
        tree.AddFile("-starts-with-dash", 5);
        tree.AddFile("Ünïcödé NFC é vs NFD e\u0301.txt", 64, ContentKind.Text);
        var deep = string.Join('/', Enumerable.Range(0, 150).Select(i => $"deep{i:D3}"));
        tree.AddFile(deep + "/bottom.txt", 300, ContentKind.Text);
        tree.AddDirectory("empty");
        tree.AddDirectory("nested-empty/a/b/c");
        tree.AddSymlink("links/relative", "../naïve/日本語 ファイル.txt");
        tree.AddSymlink("links/absolute", "/etc/hostname");
        tree.AddSymlink("links/dangling", "does/not/exist");
        tree.AddSymlink("links/to-directory", "../nested-empty");
        tree.AddSymlink(deep + "/up", "../../../..");
        // Mode bits beyond rwx, a file nobody may read, and mtimes at the edges: before 1970, last nanosecond of a second.
        tree.AddFile("modes/setuid", 20, mode: 0b100_111_101_101);
        tree.AddFile("modes/no-permissions", 20, mode: 0);
        tree.AddFile("modes/read-only", 20, mode: 0b100_100_100);
        tree.AddDirectory("modes/sticky", mode: 0b001_111_111_111);
        tree.AddFile("times/before-1970", 3, mtimeNs: -14_182_940_000_000_001L);
        tree.AddFile("times/last-nanosecond", 3, mtimeNs: 1_700_000_000_999_999_999L);
        tree.AddFile("times/epoch", 3, mtimeNs: 0);
        tree.Seal();

        await AddAndRestoreAsync(sandbox, "odd");

        var listed = (await sandbox.RunAsync("ls", "odd/links", "--long")).AssertExit(0).Lines;
        Assert.Contains(listed, l => l.StartsWith("l", StringComparison.Ordinal) && l.EndsWith("odd/links/dangling -> does/not/exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_SingleFileWithOutput_WritesExactlyThatFile()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("docs"), seed: 11);
        var source = tree.AddFile("sub/report.txt", 70_000, ContentKind.Text);
        tree.AddFile("sub/other.bin", 500);
        tree.Seal();
        (await sandbox.RunAsync("add", "docs")).AssertExit(0);

        var renamed = sandbox.PathOf("out/renamed.txt");
        Directory.CreateDirectory(sandbox.PathOf("out"));
        var get = (await sandbox.RunAsync("get", "docs/sub/report.txt", "-o", renamed)).AssertExit(0);
        Assert.Equal(["docs/sub/report.txt"], get.PathsWith("restored"));
        TestTree.AssertSameEntry(source, renamed);
        Assert.Equal(["renamed.txt"], Directory.EnumerateFileSystemEntries(sandbox.PathOf("out")).Select(Path.GetFileName));

        // An existing directory as the output receives the file under its own name.
        (await sandbox.RunAsync("get", "docs/sub/report.txt", "-o", sandbox.PathOf("out"))).AssertExit(0);
        TestTree.AssertSameEntry(source, sandbox.PathOf("out/report.txt"));
    }

    [Fact]
    public async Task Get_SingleSymlink_RestoresTheLinkItselfEvenWhenItPointsNowhere()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("l"), seed: 14);
        var dangling = tree.AddSymlink("dangling", "no/such/target");
        var relative = tree.AddSymlink("relative", "sibling.txt");
        tree.AddFile("sibling.txt", 10, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "l")).AssertExit(0);

        (await sandbox.RunAsync("get", "l/dangling", "-o", sandbox.PathOf("out-dangling"))).AssertExit(0);
        (await sandbox.RunAsync("get", "l/relative", "-o", sandbox.PathOf("out-relative"))).AssertExit(0);

        TestTree.AssertSameEntry(dangling, sandbox.PathOf("out-dangling"));
        TestTree.AssertSameEntry(relative, sandbox.PathOf("out-relative"));
    }

    [Fact]
    public async Task Get_DirectoryIntoExistingDirectory_AddsItsEntriesAndKeepsOthers()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("photos"), seed: 12);
        tree.AddManyFiles("", 40, maxDepth: 3, maxSize: 20_000);
        tree.AddDirectory("empty");
        tree.Seal();
        (await sandbox.RunAsync("add", "photos")).AssertExit(0);

        var target = sandbox.PathOf("existing");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");
        (await sandbox.RunAsync("get", "photos", "-o", target)).AssertExit(0);

        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "keep.txt")));
        File.Delete(Path.Combine(target, "keep.txt"));
        TestTree.AssertSame(tree.Root, target, compareRoot: false);

        // Without -o, get restores under the entry's own name in the working directory.
        var work = sandbox.PathOf("work");
        Directory.CreateDirectory(work);
        (await sandbox.RunInAsync(work, IsgSandbox.DefaultTimeout, "get", "photos")).AssertExit(0);
        TestTree.AssertSame(tree.Root, Path.Combine(work, "photos"));
    }

    [Fact]
    public async Task Get_OverExistingFile_FailsWithoutForceLeavingItUntouchedAndReplacesWithForce()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("src"), seed: 13);
        var source = tree.AddFile("a.txt", 5000, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "src")).AssertExit(0);

        var target = sandbox.PathOf("a.txt");
        File.WriteAllText(target, "precious local edit");
        Posix.SetMtime(target, 1_600_000_000_123_456_789L);
        var before = TreeEntry.Read(target, "a.txt");

        (await sandbox.RunAsync("get", "src/a.txt", "-o", target)).AssertError(9, target, "--force");
        Assert.Equal(before, TreeEntry.Read(target, "a.txt"));
        Assert.Equal("precious local edit", File.ReadAllText(target));
        Assert.Equal(["a.txt", "repo", "src"], Directory.EnumerateFileSystemEntries(sandbox.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        (await sandbox.RunAsync("get", "src/a.txt", "-o", target, "--force")).AssertExit(0);
        TestTree.AssertSameEntry(source, target);
    }

    /// <summary>Adds NAME (a tree in the sandbox), restores it to restored-NAME and asserts both match exactly.</summary>
    internal static async Task AddAndRestoreAsync(IsgSandbox sandbox, string name)
    {
        var expected = TestTree.Snapshot(sandbox.PathOf(name)).Select(e => e.Path.Length == 0 ? name : name + "/" + e.Path).Order(StringComparer.Ordinal).ToList();
        var add = (await sandbox.RunAsync("add", name)).AssertExit(0);
        Assert.Equal(expected, add.PathsWith("added").Order(StringComparer.Ordinal));
        Assert.Equal(new AddSummary(expected.Count, 0, 0, add.AddSummary().Read, add.AddSummary().NewBlocks, add.AddSummary().DedupBlocks), add.AddSummary());

        var restored = sandbox.PathOf("restored-" + name);
        var get = (await sandbox.RunAsync("get", name, "-o", restored)).AssertExit(0);
        Assert.Equal(expected, get.PathsWith("restored").Order(StringComparer.Ordinal));
        TestTree.AssertSame(sandbox.PathOf(name), restored);
    }
}

using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`ls`, `stats`, `rm` and `config` through the real CLI, checked against the files and the block store.</summary>
public sealed class CatalogCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ls_Prefix_MatchesThePathAndBelowButNotSiblingsSharingItsText()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("top"), seed: 31);
        tree.AddFile("dir/a.txt", 10, ContentKind.Text);
        tree.AddFile("dir/sub/b.txt", 10, ContentKind.Text);
        tree.AddFile("dirx/c.txt", 10, ContentKind.Text);
        tree.AddFile("dir.txt", 10, ContentKind.Text);
        tree.AddFile("dir-y", 10, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "top")).AssertExit(0);

        Assert.Equal(["top/dir", "top/dir/a.txt", "top/dir/sub", "top/dir/sub/b.txt"], await LsAsync(sandbox, "top/dir"));
        Assert.Equal(["top/dir", "top/dir/a.txt", "top/dir/sub", "top/dir/sub/b.txt"], await LsAsync(sandbox, "top/dir/"));
        Assert.Equal(["top/dirx", "top/dirx/c.txt"], await LsAsync(sandbox, "top/dirx"));
        Assert.Equal(["top/dir/a.txt"], await LsAsync(sandbox, "top/dir/a.txt"));
        Assert.Equal(9, (await LsAsync(sandbox)).Count);
        (await sandbox.RunAsync("ls", "top/di")).AssertError(6, "top/di");
    }

    [Fact]
    public async Task Ls_LongAndJson_DescribeEveryEntryAsOnDisk()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("t"), seed: 32);
        tree.AddFile("big.bin", 1_234_567, mode: 0b110_100_000);
        tree.AddFile("empty", 0);
        tree.AddSymlink("link", "big.bin");
        tree.AddDirectory("folder", mode: 0b111_101_000);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        var longLines = (await sandbox.RunAsync("ls", "t", "--long")).AssertExit(0).Lines;
        Assert.Equal(5, longLines.Count);
        Assert.Matches(@"^-\s*640\s+1,234,567 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+ t/big\.bin$", longLines.Single(l => l.EndsWith("t/big.bin", StringComparison.Ordinal)));
        Assert.Matches(@"^d\s*750\s+0 .* t/folder$", longLines.Single(l => l.EndsWith("t/folder", StringComparison.Ordinal)));
        Assert.Matches(@"^l\s*777\s+0 .* t/link -> big\.bin$", longLines.Single(l => l.Contains("t/link", StringComparison.Ordinal)));

        var json = (await sandbox.RunAsync("ls", "t", "--json")).AssertExit(0).Json();
        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        var snapshot = TestTree.Snapshot(tree.Root).ToDictionary(e => e.Path.Length == 0 ? "t" : "t/" + e.Path, StringComparer.Ordinal);
        Assert.Equal(snapshot.Keys.Order(StringComparer.Ordinal), json.EnumerateArray().Select(e => e.GetProperty("path").GetString()!));
        foreach (var item in json.EnumerateArray())
        {
            var entry = snapshot[item.GetProperty("path").GetString()!];
            var kind = entry.Kind switch { 'f' => "file", 'd' => "directory", _ => "symlink" };
            Assert.Equal(kind, item.GetProperty("kind").GetString());
            Assert.Equal(entry.Size, item.GetProperty("size").GetInt64());
            Assert.Equal(Convert.ToString(entry.Mode, 8), item.GetProperty("mode").GetString());
            var mtime = DateTimeOffset.Parse(item.GetProperty("mtime").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(entry.MtimeNs / 100, (mtime - DateTimeOffset.UnixEpoch).Ticks);
            Assert.Matches("^[0-9a-f]{64}$", item.GetProperty("merkleRoot").GetString());
            Assert.Equal(entry.Kind == 'f' && entry.Size > 0, item.GetProperty("blocks").GetInt32() > 0);
        }
    }

    [Fact]
    public async Task Stats_Json_AgreesWithTheTreeAndTheBlockStore()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var empty = (await sandbox.RunAsync("stats", "--json")).AssertExit(0).Json();
        Assert.Equal(0, empty.GetProperty("files").GetInt64());
        Assert.Equal(0, empty.GetProperty("storedBytes").GetInt64());

        var tree = new TestTree(sandbox.PathOf("s"), seed: 33);
        tree.AddManyFiles("", 80, maxDepth: 3, maxSize: 150_000);
        tree.AddFile("text.txt", 1 << 20, ContentKind.Text);
        tree.CopyFile("text.txt", "text-copy.txt");
        tree.AddSymlink("link", "text.txt");
        tree.Seal();
        (await sandbox.RunAsync("add", "s")).AssertExit(0);

        var stats = (await sandbox.RunAsync("stats", "--json")).AssertExit(0).Json();
        var snapshot = TestTree.Snapshot(tree.Root);
        var objects = sandbox.StoredObjects;
        Assert.Matches("^[0-9a-f]{32}$", stats.GetProperty("repository").GetString());
        Assert.Equal(snapshot.Count(e => e.Kind == 'f'), stats.GetProperty("files").GetInt64());
        Assert.Equal(snapshot.Count(e => e.Kind == 'd'), stats.GetProperty("directories").GetInt64());
        var logical = snapshot.Sum(e => e.Size);
        Assert.Equal(logical, stats.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(objects.Count, stats.GetProperty("uniqueBlocks").GetInt64());
        Assert.Equal(sandbox.TotalLength(objects), stats.GetProperty("storedBytes").GetInt64());
        var uniquePlain = stats.GetProperty("uniquePlainBytes").GetInt64();
        Assert.Equal(logical - (1 << 20), uniquePlain);
        Assert.Equal(Math.Round((double)logical / uniquePlain, 4), stats.GetProperty("dedupRatio").GetDouble());
        Assert.Equal(Math.Round((double)uniquePlain / stats.GetProperty("storedBytes").GetInt64(), 4), stats.GetProperty("compressionRatio").GetDouble());

        var text = (await sandbox.RunAsync("stats")).AssertExit(0).Stdout;
        Assert.Contains(stats.GetProperty("repository").GetString()!, text, StringComparison.Ordinal);
        Assert.Contains(logical.ToString("N0", CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rm_File_LeavesItsBlocksForGcWhichFreesThemAndCheckStaysClean()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var tree = new TestTree(sandbox.PathOf("r"), seed: 34);
        tree.AddFile("doomed.bin", 1 << 20);
        tree.AddFile("kept.bin", 300_000);
        tree.Seal();
        (await sandbox.RunAsync("add", "r/kept.bin")).AssertExit(0);
        var keptBlocks = sandbox.StoredObjects;
        (await sandbox.RunAsync("add", "r")).AssertExit(0);
        Assert.True(sandbox.StoredObjects.Count > keptBlocks.Count);

        var rm = (await sandbox.RunAsync("rm", "r/doomed.bin")).AssertExit(0);

        Assert.Contains("removed 1 entries", rm.Stdout, StringComparison.Ordinal);
        Assert.Contains("reclaimable by `isg gc`", rm.Stdout, StringComparison.Ordinal);
        Assert.True(sandbox.StoredObjects.Count > keptBlocks.Count, "rm deletes no object");
        (await sandbox.RunAsync("gc")).AssertExit(0);
        Assert.Equal(keptBlocks, sandbox.StoredObjects);
        (await sandbox.RunAsync("ls", "r/doomed.bin")).AssertError(6, "r/doomed.bin");
        var stats = (await sandbox.RunAsync("stats", "--json")).AssertExit(0).Json();
        Assert.Equal(sandbox.TotalLength(keptBlocks), stats.GetProperty("storedBytes").GetInt64());
        Assert.Equal(300_000, stats.GetProperty("logicalBytes").GetInt64());
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
        (await sandbox.RunAsync("get", "r/kept.bin", "-o", sandbox.PathOf("kept.bin"))).AssertExit(0);
        TestTree.AssertSameEntry(tree.PathOf("kept.bin"), sandbox.PathOf("kept.bin"));
    }

    [Fact]
    public async Task Rm_Directory_NeedsRecursiveThenRemovesEverythingBelow()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var tree = new TestTree(sandbox.PathOf("d"), seed: 35);
        tree.AddManyFiles("inner", 25, maxDepth: 2, maxSize: 50_000);
        tree.AddFile("innerx/sibling.txt", 5000, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "d")).AssertExit(0);
        var listed = await LsAsync(sandbox);

        (await sandbox.RunAsync("rm", "d/inner")).AssertError(2, "d/inner", "--recursive");
        Assert.Equal(listed, await LsAsync(sandbox));

        var rm = (await sandbox.RunAsync("rm", "d/inner", "-r")).AssertExit(0);

        var removed = listed.Count(p => p == "d/inner" || p.StartsWith("d/inner/", StringComparison.Ordinal));
        Assert.Contains($"removed {removed} entries", rm.Stdout, StringComparison.Ordinal);
        Assert.Equal(["d", "d/innerx", "d/innerx/sibling.txt"], await LsAsync(sandbox));
        var afterRm = sandbox.StoredObjects.Count;
        (await sandbox.RunAsync("gc")).AssertExit(0);
        Assert.True(sandbox.StoredObjects.Count < afterRm, "gc frees what rm released");
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);

        (await sandbox.RunAsync("rm", "d", "-r")).AssertExit(0);
        (await sandbox.RunAsync("gc")).AssertExit(0);
        Assert.Empty(sandbox.StoredObjects);
        Assert.Empty(await LsAsync(sandbox));
        (await sandbox.RunAsync("rm", "d")).AssertError(6, "d");
    }

    [Fact]
    public async Task Rm_ContentSharedWithAnotherFile_SurvivesForTheOther()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("sh"), seed: 36);
        tree.AddFile("one.bin", 2 << 20);
        tree.CopyFile("one.bin", "two.bin");
        tree.Seal();
        (await sandbox.RunAsync("add", "sh")).AssertExit(0);
        var blocks = sandbox.StoredObjects;

        var rm = (await sandbox.RunAsync("rm", "sh/one.bin")).AssertExit(0);

        Assert.Contains("0 blocks (0 B) are now unreferenced", rm.Stdout, StringComparison.Ordinal);
        Assert.Equal(blocks, sandbox.StoredObjects);
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
        (await sandbox.RunAsync("get", "sh/two.bin", "-o", sandbox.PathOf("two.bin"))).AssertExit(0);
        TestTree.AssertSameEntry(tree.PathOf("two.bin"), sandbox.PathOf("two.bin"));
    }

    [Fact]
    public async Task Config_GetSetList_ChangesSettingsAndRejectsBadKeysAndValues()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        string[] keys = ["compression", "compression.level", "cipher", "chunker.min", "chunker.avg", "chunker.max", "redundancy", "scrub.rate", "scrub.interval"];
        var list = (await sandbox.RunAsync("config", "list")).AssertExit(0).Lines;
        Assert.Equal(keys, list.Select(l => l.Split(" = ")[0]));
        Assert.Equal(["zstd"], (await sandbox.RunAsync("config", "get", "compression")).AssertExit(0).Lines);

        (await sandbox.RunAsync("config", "set", "compression", "brotli")).AssertExit(0);
        (await sandbox.RunAsync("config", "set", "cipher", "chacha20-poly1305")).AssertExit(0);
        Assert.Equal(["brotli"], (await sandbox.RunAsync("config", "get", "compression")).AssertExit(0).Lines);
        Assert.Contains("cipher = chacha20-poly1305", (await sandbox.RunAsync("config", "list")).AssertExit(0).Lines);

        (await sandbox.RunAsync("config", "set", "no.such.key", "1")).AssertError(2, "no.such.key");
        (await sandbox.RunAsync("config", "get", "no.such.key")).AssertError(2, "no.such.key");
        (await sandbox.RunAsync("config", "set", "compression", "lz4")).AssertError(2, "lz4");
        (await sandbox.RunAsync("config", "set", "chunker.avg", "3000")).AssertError(2, "chunker.avg");
        (await sandbox.RunAsync("config", "set", "compression.level", "many")).AssertError(2, "compression.level");
        Assert.Equal(["brotli"], (await sandbox.RunAsync("config", "get", "compression")).AssertExit(0).Lines);

        // Blocks written under the new settings read back like the old ones.
        var tree = new TestTree(sandbox.PathOf("c"), seed: 37);
        tree.AddFile("text.txt", 200_000, ContentKind.Text);
        tree.Seal();
        await RoundTripTests.AddAndRestoreAsync(sandbox, "c");
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
    }

    private static async Task<List<string>> LsAsync(IsgSandbox sandbox, string? prefix = null) =>
        [.. (await (prefix is null ? sandbox.RunAsync("ls") : sandbox.RunAsync("ls", prefix))).AssertExit(0).Lines];
}

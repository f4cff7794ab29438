using System.Text.Json;
using Isg.Node.Cli.Output;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>Identical content is stored once: re-adding, renaming and --reread add no blocks and no stored bytes.</summary>
public sealed class DedupTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Add_SameTreeTwice_SecondAddStoresNothingNew()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var tree = new TestTree(sandbox.PathOf("tree"), seed: 21);
        tree.AddManyFiles("", 60, maxDepth: 3, maxSize: 100_000);
        tree.AddFile("big.bin", 2 << 20);
        tree.Seal();
        var entries = TestTree.Snapshot(tree.Root).Count;
        var first = (await sandbox.RunAsync("add", "tree")).AssertExit(0).AddSummary();
        var before = await StatsAsync(sandbox);
        var blocksBefore = sandbox.StoredObjects;
        Assert.InRange(first.NewBlocks, 40, int.MaxValue);
        Assert.Equal(first.NewBlocks, before.GetProperty("uniqueBlocks").GetInt64());
        Assert.Equal(first.NewBlocks, blocksBefore.Count);

        var second = (await sandbox.RunAsync("add", "tree")).AssertExit(0);

        Assert.Equal(new AddSummary(0, entries, 0, "0 B", 0, 0), second.AddSummary());
        Assert.Empty(second.PathsWith("added"));
        Assert.Equal(before.ToString(), (await StatsAsync(sandbox)).ToString());
        Assert.Equal(blocksBefore, sandbox.StoredObjects);
    }

    [Fact]
    public async Task Add_SameContentUnderAnotherName_AddsNoNewBlocks()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("orig"), seed: 22);
        tree.AddFile("movie.bin", 3 << 20);
        tree.AddFile("notes.txt", 50_000, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "orig")).AssertExit(0);
        var before = await StatsAsync(sandbox);
        var blocksBefore = sandbox.StoredObjects;

        var copies = new TestTree(sandbox.PathOf("copies"), seed: 23);
        File.Copy(tree.PathOf("movie.bin"), copies.PathOf("renamed movie.bin"));
        Directory.CreateDirectory(copies.PathOf("deeper"));
        File.Copy(tree.PathOf("notes.txt"), copies.PathOf("deeper/notes-copy.txt"));
        copies.Seal();
        var add = (await sandbox.RunAsync("add", "copies")).AssertExit(0).AddSummary();

        Assert.Equal(0, add.NewBlocks);
        Assert.True(add.DedupBlocks >= 2, $"only {add.DedupBlocks} deduplicated blocks");
        var after = await StatsAsync(sandbox);
        Assert.Equal(before.GetProperty("storedBytes").GetInt64(), after.GetProperty("storedBytes").GetInt64());
        Assert.Equal(before.GetProperty("uniqueBlocks").GetInt64(), after.GetProperty("uniqueBlocks").GetInt64());
        Assert.Equal(2 * before.GetProperty("logicalBytes").GetInt64(), after.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(blocksBefore, sandbox.StoredObjects);
        (await sandbox.RunAsync("get", "copies", "-o", sandbox.PathOf("back"))).AssertExit(0);
        TestTree.AssertSame(copies.Root, sandbox.PathOf("back"));
    }

    [Fact]
    public async Task Add_TwoIdenticalFilesInOneAdd_StoresTheContentOnce()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var tree = new TestTree(sandbox.PathOf("twins"), seed: 24);
        const int Size = (4 << 20) + 3;
        tree.AddFile("a.bin", Size);
        tree.CopyFile("a.bin", "b.bin");
        tree.CopyFile("a.bin", "sub/c.bin");
        tree.Seal();

        (await sandbox.RunAsync("add", "twins")).AssertExit(0);

        var stats = await StatsAsync(sandbox);
        Assert.Equal(Size, stats.GetProperty("uniquePlainBytes").GetInt64());
        Assert.Equal(3L * Size, stats.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(stats.GetProperty("uniqueBlocks").GetInt64(), sandbox.StoredObjects.Count);
        (await sandbox.RunAsync("get", "twins", "-o", sandbox.PathOf("back"))).AssertExit(0);
        TestTree.AssertSame(tree.Root, sandbox.PathOf("back"));
    }

    [Fact]
    public async Task Add_Reread_ReadsEveryFileButStoresNothingNew()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("tree"), seed: 25);
        tree.AddManyFiles("", 30, maxDepth: 2, maxSize: 200_000);
        tree.Seal();
        (await sandbox.RunAsync("add", "tree")).AssertExit(0);
        var before = await StatsAsync(sandbox);
        var blocksBefore = sandbox.StoredObjects;

        var reread = (await sandbox.RunAsync("add", "tree", "--reread")).AssertExit(0).AddSummary();

        Assert.Equal(0, reread.NewBlocks);
        Assert.Equal(0, reread.Unchanged);
        Assert.Equal(ByteSize.Format(before.GetProperty("logicalBytes").GetInt64()), reread.Read);
        Assert.True(reread.DedupBlocks > 0);
        Assert.Equal(before.ToString(), (await StatsAsync(sandbox)).ToString());
        Assert.Equal(blocksBefore, sandbox.StoredObjects);
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
    }

    [Fact]
    public async Task Add_TwoProcessesAtOnceWithSharedContent_BothSucceedAndEachBlockIsStoredOnce()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        var left = new TestTree(sandbox.PathOf("left"), seed: 26);
        left.AddManyFiles("", 150, maxDepth: 2, maxSize: 40_000);
        left.AddFile("shared.bin", 3 << 20);
        left.Seal();
        var right = new TestTree(sandbox.PathOf("right"), seed: 27);
        foreach (var (path, _) in left.Files)
        {
            right.CopyFile(left.PathOf(path), path);
        }

        right.Seal();

        using var first = sandbox.Start("add", "left");
        using var second = sandbox.Start("add", "right");
        var results = await Task.WhenAll(first.WaitAsync(IsgSandbox.DefaultTimeout), second.WaitAsync(IsgSandbox.DefaultTimeout));

        foreach (var result in results)
        {
            sandbox.Log(result);
            result.AssertExit(0);
        }

        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
        var stats = await StatsAsync(sandbox);
        Assert.Equal(sandbox.StoredObjects.Count, stats.GetProperty("uniqueBlocks").GetInt64());
        Assert.Equal(2 * left.Files.Sum(f => f.Size), stats.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(left.Files.Sum(f => f.Size), stats.GetProperty("uniquePlainBytes").GetInt64());
        (await sandbox.RunAsync("get", "right", "-o", sandbox.PathOf("back"))).AssertExit(0);
        TestTree.AssertSame(right.Root, sandbox.PathOf("back"));
    }

    private static async Task<JsonElement> StatsAsync(IsgSandbox sandbox) =>
        (await sandbox.RunAsync("stats", "--json")).AssertExit(0).Json();
}

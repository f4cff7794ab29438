using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg gc` through the real CLI: frees what rm left, removes orphans, keeps every remaining file readable.</summary>
public sealed class GcCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Gc_AfterRm_FreesTheBytesKeepsTheRestAndASecondRunFindsNothing()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("r"), seed: 61);
        tree.AddFile("doomed.bin", 3 << 20);
        tree.AddFile("kept.bin", 1 << 20);
        tree.Seal();
        (await sandbox.RunAsync("add", "r/kept.bin")).AssertExit(0);
        var keptBlocks = sandbox.StoredObjects;
        (await sandbox.RunAsync("add", "r/doomed.bin")).AssertExit(0);
        (await sandbox.RunAsync("rm", "r/doomed.bin")).AssertExit(0);
        // What an add that died before its commit leaves behind: an object no catalogue row names.
        var orphan = Path.Combine(sandbox.Repo, "blocks", "ab", "ab" + new string('0', 62));
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllBytesAsync(orphan, new byte[4096]);
        var before = sandbox.TotalLength(sandbox.StoredObjects);

        var dry = (await sandbox.RunAsync("gc", "--dry-run", "--json")).AssertExit(0).Json();
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal(before, sandbox.TotalLength(sandbox.StoredObjects));

        var gc = (await sandbox.RunAsync("gc", "--json")).AssertExit(0).Json();

        Assert.False(gc.GetProperty("dryRun").GetBoolean());
        Assert.True(gc.GetProperty("blocksDeleted").GetInt32() > 0);
        Assert.True(gc.GetProperty("stripesRemoved").GetInt32() > 0);
        Assert.Equal(1, gc.GetProperty("orphansDeleted").GetInt32());
        Assert.Equal(dry.GetProperty("blocksDeleted").GetInt32(), gc.GetProperty("blocksDeleted").GetInt32());
        Assert.Equal(keptBlocks, sandbox.StoredObjects);
        Assert.Equal(before - sandbox.TotalLength(keptBlocks) - 4096, gc.GetProperty("bytesDeleted").GetInt64());
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
        (await sandbox.RunAsync("get", "r/kept.bin", "-o", sandbox.PathOf("kept.bin"))).AssertExit(0);
        TestTree.AssertSameEntry(tree.PathOf("kept.bin"), sandbox.PathOf("kept.bin"));

        var again = (await sandbox.RunAsync("gc")).AssertExit(0);
        Assert.Contains("gc: nothing to collect", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(keptBlocks, sandbox.StoredObjects);
    }
}

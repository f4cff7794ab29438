using System.Text.Json;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg snapshot …` through the real CLI: old content comes back after later edits and deletes.</summary>
public sealed class SnapshotCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Snapshot_EditDeleteAddAgain_RestoreGivesOldContentDiffAndPruneAgree()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = new TestTree(sandbox.PathOf("t"), seed: 71);
        tree.AddFile("edited.txt", 150_000, ContentKind.Text);
        tree.AddFile("deleted.bin", 400_000);
        tree.AddFile("kept/same.bin", 50_000);
        tree.AddSymlink("link", "edited.txt");
        tree.Seal();
        Assert.Equal(0, IsgSandbox.Exec("cp", "-a", tree.Root, sandbox.PathOf("original")).Code);
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        var created = (await sandbox.RunAsync("snapshot", "create", "s1")).AssertExit(0);
        Assert.Matches(@"^snapshot 1 's1': root [0-9a-f]{64}, 6 entries, ", created.Lines[^1]);
        (await sandbox.RunAsync("snapshot", "create", "s1")).AssertError(2, "s1");
        (await sandbox.RunAsync("snapshot", "create", "42")).AssertExit(2);

        File.WriteAllText(tree.PathOf("edited.txt"), "new content");
        File.Delete(tree.PathOf("deleted.bin"));
        var blocksBefore = sandbox.StoredObjects.Count;
        (await sandbox.RunAsync("rm", "t/deleted.bin")).AssertExit(0);
        Assert.Equal(blocksBefore, sandbox.StoredObjects.Count);
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        (await sandbox.RunAsync("snapshot", "restore", "s1", "t", "-o", "restored")).AssertExit(0);
        TestTree.AssertSame(sandbox.PathOf("original"), sandbox.PathOf("restored"));
        (await sandbox.RunAsync("snapshot", "restore", "1", "t/deleted.bin", "-o", "one.bin")).AssertExit(0);
        Assert.Equal(File.ReadAllBytes(sandbox.PathOf("original/deleted.bin")), File.ReadAllBytes(sandbox.PathOf("one.bin")));

        var diff = (await sandbox.RunAsync("snapshot", "diff", "s1", "current", "--json")).AssertExit(0).Json();
        // The folder itself changed too: deleting a file changed its mtime.
        Assert.Equal(["t", "t/edited.txt"], Strings(diff, "modified"));
        Assert.Equal(["t/deleted.bin"], Strings(diff, "removed"));
        Assert.Empty(Strings(diff, "added"));
        Assert.True(diff.GetProperty("blocksRemoved").GetInt64() > 0);
        Assert.True(diff.GetProperty("blocksAdded").GetInt64() > 0);
        var text = (await sandbox.RunAsync("snapshot", "diff", "s1", "current")).AssertExit(0).Lines;
        Assert.Contains("M t/edited.txt", text);
        Assert.Contains("- t/deleted.bin", text);

        (await sandbox.RunAsync("snapshot", "create", "s2")).AssertExit(0);
        (await sandbox.RunAsync("snapshot", "create", "s3")).AssertExit(0);
        var list = (await sandbox.RunAsync("snapshot", "list", "--json")).AssertExit(0).Json();
        Assert.Equal(["s1", "s2", "s3"], list.EnumerateArray().Select(s => s.GetProperty("name").GetString()!));
        Assert.Equal(1, list[1].GetProperty("parent").GetInt64());
        Assert.Equal(0, (await sandbox.RunAsync("snapshot", "diff", "s2", "s3", "--json")).AssertExit(0).Json()
            .GetProperty("modified").GetArrayLength());

        var dry = (await sandbox.RunAsync("snapshot", "prune", "--keep-last", "1", "--dry-run")).AssertExit(0);
        Assert.Equal(["2 s2", "1 s1"], dry.PathsWith("would remove"));
        Assert.Equal(3, (await sandbox.RunAsync("snapshot", "list", "--json")).AssertExit(0).Json().GetArrayLength());
        var pruned = (await sandbox.RunAsync("snapshot", "prune", "--keep-last", "1", "--keep-daily", "1")).AssertExit(0);
        Assert.Equal(["2 s2", "1 s1"], pruned.PathsWith("removed"));
        var left = (await sandbox.RunAsync("snapshot", "list", "--json")).AssertExit(0).Json();
        Assert.Equal(["s3"], left.EnumerateArray().Select(s => s.GetProperty("name").GetString()!));
        Assert.Equal(JsonValueKind.Null, left[0].GetProperty("parent").ValueKind);
        (await sandbox.RunAsync("snapshot", "restore", "s1", "-o", "gone")).AssertError(6, "s1");
        (await sandbox.RunAsync("snapshot", "prune")).AssertExit(2);
        (await sandbox.RunAsync("check")).AssertExit(0);
    }

    private static List<string> Strings(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
}

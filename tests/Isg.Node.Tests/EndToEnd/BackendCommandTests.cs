using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg backend` and redundancy through the real CLI: shards spread over local backends survive losing one.</summary>
public sealed class BackendCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Get_OneOfThreeBackendFoldersWiped_RestoresBitExact()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("backend", "add", "local", "b2", "--path", sandbox.PathOf("b2"))).AssertExit(0);
        (await sandbox.RunAsync("backend", "add", "local", "b3", "--path", sandbox.PathOf("b3"))).AssertExit(0);
        (await sandbox.RunAsync("config", "set", "redundancy", "2+1")).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 77);
        for (var i = 0; i < 6; i++)
        {
            tree.AddFile($"f{i}.bin", 700_000 + (i * 1_001));
        }

        tree.AddFile("small.txt", 100, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        var list = (await sandbox.RunAsync("backend", "list", "--json")).AssertExit(0).Json();
        var names = list.EnumerateArray().Select(b => b.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["b2", "b3", "local"], names);
        Assert.All(list.EnumerateArray(), b => Assert.True(b.GetProperty("objects").GetInt64() > 0));

        Directory.Delete(sandbox.PathOf("b2"), recursive: true);
        Directory.CreateDirectory(sandbox.PathOf("b2"));
        var restored = sandbox.PathOf("restored");
        (await sandbox.RunAsync("get", "t", "-o", restored)).AssertExit(0);
        TestTree.AssertSame(sandbox.PathOf("t"), restored);
    }

    [Fact]
    public async Task BackendAdd_PathInsideAnotherBackendOrNonEmptyFolder_IsRefused()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("backend", "add", "local", "b2", "--path", sandbox.PathOf("b2"))).AssertExit(0);
        (await sandbox.RunAsync("backend", "add", "local", "inner", "--path", sandbox.PathOf("b2/inner"))).AssertError(2, "overlaps");
        Directory.CreateDirectory(sandbox.PathOf("busy"));
        await File.WriteAllTextAsync(sandbox.PathOf("busy/notes.txt"), "mine");
        (await sandbox.RunAsync("backend", "add", "local", "busy", "--path", sandbox.PathOf("busy"))).AssertError(2, "not empty");
        (await sandbox.RunAsync("backend", "add", "local", "b2", "--path", sandbox.PathOf("other"))).AssertError(2, "exists");
        (await sandbox.RunAsync("backend", "remove", "b2")).AssertExit(0);
        var names = (await sandbox.RunAsync("backend", "list", "--json")).AssertExit(0).Json().EnumerateArray().Select(b => b.GetProperty("name").GetString()!);
        Assert.Equal(["local"], names);
    }

    [Fact]
    public async Task BackendRemove_OnlyCopyWithoutMigrate_RefusesThenMigrateKeepsEveryFile()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitWithoutParityAsync();
        (await sandbox.RunAsync("backend", "add", "local", "b2", "--path", sandbox.PathOf("b2"))).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 78);
        for (var i = 0; i < 5; i++)
        {
            tree.AddFile($"f{i}.bin", 300_000 + (i * 1_001));
        }

        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        (await sandbox.RunAsync("backend", "remove", "b2")).AssertError(2, "b2", "only copy", "--migrate");
        var removed = (await sandbox.RunAsync("backend", "remove", "b2", "--migrate")).AssertExit(0);
        Assert.Matches("[1-9][0-9]* shards copied", removed.Stdout);

        // The folder is no longer needed: everything it held is on "local" now.
        Directory.Delete(sandbox.PathOf("b2"), recursive: true);
        var names = (await sandbox.RunAsync("backend", "list", "--json")).AssertExit(0).Json().EnumerateArray().Select(b => b.GetProperty("name").GetString()!);
        Assert.Equal(["local"], names);
        (await sandbox.RunAsync("check")).AssertExit(0);
        var restored = sandbox.PathOf("restored");
        (await sandbox.RunAsync("get", "t", "-o", restored)).AssertExit(0);
        TestTree.AssertSame(sandbox.PathOf("t"), restored);
    }

    [Fact]
    public async Task BackendRemove_StripedBackendGone_RebuildsItsShardsElsewhereWithoutMigrate()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("backend", "add", "local", "b2", "--path", sandbox.PathOf("b2"))).AssertExit(0);
        (await sandbox.RunAsync("backend", "add", "local", "b3", "--path", sandbox.PathOf("b3"))).AssertExit(0);
        (await sandbox.RunAsync("config", "set", "redundancy", "2+1")).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 79);
        for (var i = 0; i < 4; i++)
        {
            tree.AddFile($"f{i}.bin", 500_000 + (i * 3_001));
        }

        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        // b2 is gone for good: what it held is rebuilt from the other shards of each stripe.
        Directory.Delete(sandbox.PathOf("b2"), recursive: true);
        Directory.CreateDirectory(sandbox.PathOf("b2"));
        var removed = (await sandbox.RunAsync("backend", "remove", "b2")).AssertExit(0);
        Assert.Matches("[1-9][0-9]* rebuilt", removed.Stdout);

        (await sandbox.RunAsync("check")).AssertExit(0);
        var restored = sandbox.PathOf("restored");
        (await sandbox.RunAsync("get", "t", "-o", restored)).AssertExit(0);
        TestTree.AssertSame(sandbox.PathOf("t"), restored);
    }
}

using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// The healer through the real CLI: `health` reads recorded findings only, `verify` finds a damaged shard and names
/// its file (exit 5), `repair --now` rebuilds it from its stripe (exit 0), and the file comes back bit-exact.
/// </summary>
public sealed class HealthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task VerifyRepair_CorruptShardOnDisk_FoundNamedRepairedAndFileBitExact()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("config", "set", "redundancy", "4+2")).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 77);
        tree.AddFile("big.bin", 6_000_000);
        tree.AddFile("other.txt", 50_000, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);
        (await sandbox.RunAsync("verify")).AssertExit(0);

        // A data shard, as the catalogue records it (the smallest, for a fixed choice).
        var victim = sandbox.DataShardObjects.MinBy(sandbox.ObjectLength)!;
        var bytes = sandbox.ObjectBytes(victim);
        bytes[bytes.Length / 2] ^= 0xff;
        sandbox.DamageObject(victim, _ => bytes);

        // health reads the catalogue and the recorded findings: nothing has looked at the data yet.
        var before = (await sandbox.RunAsync("health")).AssertExit(0);
        Assert.Contains("state              healthy", before.Stdout, StringComparison.Ordinal);

        var verify = (await sandbox.RunAsync("verify")).AssertError(5, victim);
        Assert.Contains("affected t/", verify.Stdout, StringComparison.Ordinal);
        var json = (await sandbox.RunAsync("verify", "--json")).AssertExit(5).Json();
        var bad = Assert.Single(json.GetProperty("bad").EnumerateArray());
        Assert.Equal(victim, bad.GetProperty("object").GetString());
        var affected = bad.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.NotEmpty(affected);
        Assert.All(affected, f => Assert.Contains(f, new[] { "t/big.bin", "t/other.txt" }));

        var degraded = (await sandbox.RunAsync("health", "--json")).AssertExit(9).Json();
        Assert.Equal("degraded", degraded.GetProperty("state").GetString());
        Assert.Equal(1, degraded.GetProperty("stripes").GetProperty("degraded").GetInt32());

        (await sandbox.RunAsync("repair", "--now")).AssertExit(0);
        (await sandbox.RunAsync("verify")).AssertExit(0);
        var healthy = (await sandbox.RunAsync("health", "--json")).AssertExit(0).Json();
        Assert.Equal("healthy", healthy.GetProperty("state").GetString());
        Assert.NotEqual(bytes, sandbox.ObjectBytes(victim));

        (await sandbox.RunAsync("get", "t", "-o", sandbox.PathOf("out"))).AssertExit(0);
        TestTree.AssertSame(tree.Root, sandbox.PathOf("out"));
    }

    [Fact]
    public async Task VerifyPath_DamageOutsideThePath_ExitsZero_AndUnknownPathExitsSix()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("config", "set", "redundancy", "0")).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 78);
        tree.AddFile("a.bin", 300_000);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);
        var blocksOfA = sandbox.StoredObjects;
        var tree2 = new TestTree(sandbox.PathOf("u"), seed: 79);
        tree2.AddFile("b.bin", 300_000);
        tree2.Seal();
        (await sandbox.RunAsync("add", "u")).AssertExit(0);
        var blockOfB = sandbox.StoredObjects.Except(blocksOfA).First();
        sandbox.DeleteObject(blockOfB);

        (await sandbox.RunAsync("verify", "t")).AssertExit(0);
        (await sandbox.RunAsync("verify", "u")).AssertError(5, "u/b.bin");
        (await sandbox.RunAsync("verify", "nothing/here")).AssertError(6, "nothing/here");

        // No parity and no other copy: repair reports the loss and the file.
        (await sandbox.RunAsync("repair", "--now")).AssertError(5, "u/b.bin");
        var health = (await sandbox.RunAsync("health", "--json")).AssertExit(5).Json();
        Assert.Equal("lost", health.GetProperty("state").GetString());
    }
}

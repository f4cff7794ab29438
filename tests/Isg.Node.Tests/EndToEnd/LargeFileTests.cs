using System.Diagnostics;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>A 300 MiB file through add and get (generated and compared in 1 MiB pieces, never held in memory).</summary>
public sealed class LargeFileTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Large")]
    public async Task AddGet_300MiBFile_RoundTripsBitExact()
    {
        const long Size = (300L << 20) + 12345;
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var clock = Stopwatch.StartNew();
        var tree = new TestTree(sandbox.PathOf("large"), seed: 300);
        tree.AddFile("huge.bin", Size);
        tree.Seal();
        sandbox.Log($"generated {Size >> 20} MiB in {clock.Elapsed.TotalSeconds:0.0} s");

        var timeout = TimeSpan.FromMinutes(10);
        var add = (await sandbox.RunInAsync(sandbox.Root, timeout, "add", "large")).AssertExit(0);
        var summary = add.AddSummary();
        Assert.Equal(2, summary.Added);
        Assert.InRange(summary.NewBlocks, 75, 1200);
        var restored = sandbox.PathOf("restored");
        var get = (await sandbox.RunInAsync(sandbox.Root, timeout, "get", "large", "-o", restored)).AssertExit(0);
        clock.Restart();
        TestTree.AssertSame(tree.Root, restored);
        sandbox.Log($"add {Size / add.Elapsed.TotalSeconds / (1 << 20):0} MiB/s, get {Size / get.Elapsed.TotalSeconds / (1 << 20):0} MiB/s " +
            $"(process wall time incl. start-up), compare {clock.Elapsed.TotalSeconds:0.0} s");

        var stats = (await sandbox.RunAsync("stats", "--json")).AssertExit(0).Json();
        Assert.Equal(Size, stats.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(summary.NewBlocks, stats.GetProperty("uniqueBlocks").GetInt64());
    }
}

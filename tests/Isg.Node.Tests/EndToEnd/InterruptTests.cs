using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>Ctrl-C (SIGINT) during `add` and `get`: exit 130, what was acknowledged is kept, nothing half-written.</summary>
public sealed class InterruptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Add_Sigint_ExitsInterruptedAndKeepsEveryAcknowledgedFile()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = BuildTree(sandbox, "src", seed: 71);

        var acknowledged = await InterruptAfterFirstLineAsync(sandbox, "added", "add", "src");

        (await sandbox.RunAsync("check")).AssertExit(0);
        var listed = (await sandbox.RunAsync("ls")).AssertExit(0).Lines;
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("src/zz-big-3.bin", listed);
        var restored = sandbox.PathOf("restored");
        (await sandbox.RunAsync("get", "src", "-o", restored)).AssertExit(0);
        foreach (var path in acknowledged.Where(p => p != "src"))
        {
            TestTree.AssertSameEntry(tree.PathOf(path["src/".Length..]), Path.Combine(restored, path["src/".Length..]));
        }

        // The next add finishes the job.
        var rest = (await sandbox.RunAsync("add", "src")).AssertExit(0).AddSummary();
        Assert.Equal(acknowledged.Count, rest.Unchanged);
        Directory.Delete(restored, recursive: true);
        (await sandbox.RunAsync("get", "src", "-o", restored)).AssertExit(0);
        TestTree.AssertSame(tree.Root, restored);
    }

    [Fact]
    public async Task Get_Sigint_ExitsInterruptedAndLeavesOnlyCompleteFiles()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var tree = BuildTree(sandbox, "src", seed: 72);
        (await sandbox.RunAsync("add", "src")).AssertExit(0);
        var restored = sandbox.PathOf("restored");

        var done = await InterruptAfterFirstLineAsync(sandbox, "restored", "get", "src", "-o", restored);

        Assert.DoesNotContain("src/zz-big-3.bin", done);
        var present = TestTree.Snapshot(restored).Where(e => e.Kind == 'f').Select(e => "src/" + e.Path).ToList();
        Assert.Equal(done.Where(p => tree.Files.Any(f => "src/" + f.Path == p)).Order(StringComparer.Ordinal), present.Order(StringComparer.Ordinal));
        foreach (var path in present)
        {
            TestTree.AssertSameEntry(tree.PathOf(path["src/".Length..]), Path.Combine(restored, path["src/".Length..]));
        }
    }

    // Starts `isg ARGS`, sends SIGINT as soon as the first "VERB PATH" line appears, and expects exit 130 quickly.
    // Returns the paths of every VERB line it printed.
    private static async Task<IReadOnlyList<string>> InterruptAfterFirstLineAsync(IsgSandbox sandbox, string verb, params string[] args)
    {
        using var process = sandbox.Start(args);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await foreach (var line in process.StdoutLines.ReadAllAsync(deadline.Token))
            {
                if (line.StartsWith(verb + " ", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        process.Signal(Posix.SigInt);
        var result = await process.WaitAsync(TimeSpan.FromSeconds(60));
        sandbox.Log(result);
        result.AssertError(130, "interrupted");
        return result.PathsWith(verb);
    }

    // Small files first in walk order (more than one commit batch of 512, so an add acknowledges some at once), then
    // large ones that keep the command busy for a while. The first acknowledgement waits for a flush that also
    // writes back the large blocks stored so far, so the large files must be large enough that SIGINT still finds
    // the add running on a fast, quiet machine (96 MiB each was not: the add had exited before the signal).
    private static TestTree BuildTree(IsgSandbox sandbox, string name, int seed)
    {
        var tree = new TestTree(sandbox.PathOf(name), seed);
        tree.AddManyFiles("a-small", 600, maxDepth: 2, maxSize: 4000);
        for (var i = 0; i < 4; i++)
        {
            tree.AddFile($"zz-big-{i}.bin", 256L << 20);
        }

        return tree.Seal();
    }
}

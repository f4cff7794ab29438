using System.Globalization;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// kill -9 during `isg add` at random moments, many times: the repository stays consistent, every file acknowledged
/// with an "added" line survives bit-exactly, and no file is ever present half-way. The seed is printed; set
/// ISG_E2E_SEED to replay a run and ISG_E2E_KILLS to change the number of kills (default 25).
/// </summary>
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    private const int KillsPerRepository = 5;

    [Fact]
    public async Task Add_KilledAtRandomMoments_KeepsTheRepositoryConsistentAndAcknowledgedFilesIntact()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ISG_E2E_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        var kills = int.TryParse(Environment.GetEnvironmentVariable("ISG_E2E_KILLS"), CultureInfo.InvariantCulture, out var count) ? count : 25;
        output.WriteLine($"seed {seed} (replay with ISG_E2E_SEED={seed}), {kills} kills");
        var random = new Random(seed);
        using var sandbox = new IsgSandbox(output) { LogTranscripts = false };
        var tree = BuildTree(sandbox, seed);
        var entries = TestTree.Snapshot(tree.Root).Count;

        // An uninterrupted add first: it must round-trip, and its duration bounds the random kill delays.
        var calibration = await CompleteAndVerifyAsync(sandbox, tree, "repo-calibration");
        output.WriteLine($"{entries} entries, {tree.Files.Sum(f => f.Size) >> 20} MiB; a full add takes {calibration.TotalSeconds:0.00} s");

        var present = 0;
        for (int done = 0, round = -1, k = 0; done < kills; done++, k++)
        {
            // Kill a fresh add, then the adds that resume it, until one finishes on its own: then a new repository.
            if (round < 0 || present == entries || k == KillsPerRepository)
            {
                await UseNewRepositoryAsync(sandbox, $"repo-{++round}");
                (present, k) = (0, 0);
            }

            var context = $"seed {seed}, kill {done + 1}/{kills} (repository {round}, kill {k + 1})";
            try
            {
                present = await KillAndVerifyAsync(sandbox, tree, random, calibration, entries - present, done, context);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{context}: {e.Message}");
            }
        }

        // Resuming after the crashes must finish the job.
        await CompleteAndVerifyAsync(sandbox, tree, null);
    }

    // Starts an add, kills it after a random number of "added" lines or a random delay, and verifies the repository.
    // Returns how many entries the catalogue now holds.
    private async Task<int> KillAndVerifyAsync(IsgSandbox sandbox, TestTree tree, Random random, TimeSpan calibration, int remaining, int index, string context)
    {
        var byLines = random.Next(2) == 0;
        var afterLines = random.Next(1, Math.Max(2, remaining));
        var afterDelay = TimeSpan.FromSeconds(calibration.TotalSeconds * 0.9 * random.NextDouble());
        using var process = sandbox.Start("add", "tree");
        using (var delay = new CancellationTokenSource())
        {
            if (!byLines)
            {
                delay.CancelAfter(afterDelay);
            }

            var seen = 0;
            try
            {
                await foreach (var line in process.StdoutLines.ReadAllAsync(delay.Token))
                {
                    if (byLines && line.StartsWith("added ", StringComparison.Ordinal) && ++seen >= afterLines)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (delay.IsCancellationRequested)
            {
                // The random delay is up: kill now.
            }

            process.KillHard();
        }

        // Lines already in the pipe when the process died were printed after their commit: they count too.
        var result = await process.WaitAsync(TimeSpan.FromMinutes(2));
        var acknowledged = result.PathsWith("added");
        var how = byLines ? $"after {afterLines} added lines" : $"after {afterDelay.TotalMilliseconds:0} ms";
        output.WriteLine($"{context}: killed {how}; exit {result.ExitCode}, {acknowledged.Count} acknowledged");

        (await sandbox.RunAsync("check")).AssertExit(0);
        var listed = (await sandbox.RunAsync("ls")).AssertExit(0).Lines.ToHashSet(StringComparer.Ordinal);
        var lost = acknowledged.Where(p => !listed.Contains(p)).ToList();
        Assert.True(lost.Count == 0, $"acknowledged but not in the catalogue: {string.Join(", ", lost.Take(10))}");
        if (listed.Count == 0)
        {
            return 0;
        }

        var restored = sandbox.PathOf($"restored-{index}");
        (await sandbox.RunAsync("get", "tree", "-o", restored)).AssertExit(0);
        AssertRestoredExactly(tree, restored, listed);
        Directory.Delete(restored, recursive: true);
        return listed.Count;
    }

    // Every listed entry restores exactly as in the source; nothing else appears except parent folders of listed ones.
    private static void AssertRestoredExactly(TestTree tree, string restored, HashSet<string> listed)
    {
        var problems = new System.Text.StringBuilder();
        var parents = listed.SelectMany(Ancestors).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in TestTree.Snapshot(restored))
        {
            var path = entry.Path.Length == 0 ? "tree" : "tree/" + entry.Path;
            seen.Add(path);
            if (listed.Contains(path))
            {
                var source = tree.PathOf(entry.Path.Length == 0 ? "." : entry.Path);
                TestTree.Describe(TreeEntry.Read(source, entry.Path), entry, source, Path.Combine(restored, entry.Path), problems);
            }
            else if (!(entry.Kind == 'd' && parents.Contains(path)))
            {
                problems.AppendLine($"restored but not in the catalogue: {entry}");
            }
        }

        foreach (var path in listed.Where(p => !seen.Contains(p)))
        {
            problems.AppendLine($"in the catalogue but not restored: {path}");
        }

        if (problems.Length > 0)
        {
            throw new Xunit.Sdk.XunitException("restored tree differs:\n" + string.Join('\n', problems.ToString().Split('\n').Take(40)));
        }
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            yield return path[..slash];
        }
    }

    // Runs add to completion on the current (or a new) repository, then restores everything and compares.
    private static async Task<TimeSpan> CompleteAndVerifyAsync(IsgSandbox sandbox, TestTree tree, string? newRepository)
    {
        if (newRepository is not null)
        {
            await UseNewRepositoryAsync(sandbox, newRepository);
        }

        var add = (await sandbox.RunAsync("add", "tree")).AssertExit(0);
        (await sandbox.RunAsync("check", "--read-data")).AssertExit(0);
        var restored = sandbox.PathOf("restored-complete");
        (await sandbox.RunAsync("get", "tree", "-o", restored)).AssertExit(0);
        TestTree.AssertSame(tree.Root, restored);
        Directory.Delete(restored, recursive: true);
        return add.Elapsed;
    }

    private static async Task UseNewRepositoryAsync(IsgSandbox sandbox, string name)
    {
        if (Directory.Exists(sandbox.Repo))
        {
            Directory.Delete(sandbox.Repo, recursive: true);
        }

        sandbox.Repo = sandbox.PathOf(name);
        sandbox.Environment["ISG_REPO"] = sandbox.Repo;
        await sandbox.InitAsync();
    }

    // About 750 entries of mixed sizes: mostly small files, some multi-MiB ones, links and empty folders.
    private static TestTree BuildTree(IsgSandbox sandbox, int seed)
    {
        var tree = new TestTree(sandbox.PathOf("tree"), seed);
        var random = new Random(seed);
        // Enough files for several commits (a commit takes up to 512 files, or what completed within a second).
        tree.AddManyFiles("small", 700, maxDepth: 4, maxSize: 16_000);
        for (var i = 0; i < 6; i++)
        {
            tree.AddFile($"large/part{i}.bin", random.Next(1 << 20, 3 << 20), i % 2 == 0 ? ContentKind.Random : ContentKind.Text);
        }

        tree.AddSymlink("links/to-large", "../large/part0.bin");
        tree.AddSymlink("links/dangling", "nowhere");
        tree.AddDirectory("empty/inner");
        return tree.Seal();
    }
}

using System.Text.Json;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// The persistent upload queue through the real CLI, with the test-only "testremote" backend (a folder that fails
/// like an unreachable platform while ISG_TESTREMOTE_FAIL=1): objects for an unreachable platform are acknowledged
/// once spooled and queued, survive kill -9, and reach the platform when it is back.
/// </summary>
public sealed class UploadQueueTests(ITestOutputHelper output)
{
    private const int Trials = 3;

    [Fact]
    public async Task Add_PlatformDownAndNodeKilled_EveryAcknowledgedFileSurvivesAndQueueDrainsWhenPlatformReturns()
    {
        using var sandbox = await NewSandboxAsync();
        var random = new Random(4242);
        for (var trial = 0; trial < Trials; trial++)
        {
            var tree = new TestTree(sandbox.PathOf($"t{trial}"), seed: 100 + trial);
            for (var i = 0; i < 24; i++)
            {
                tree.AddFile($"f{i:d2}.bin", 60_000 + random.Next(200_000));
            }

            tree.Seal();

            // The platform is unreachable: adds are acknowledged from the local spool.
            sandbox.Environment["ISG_TESTREMOTE_FAIL"] = "1";
            var killAfter = random.Next(3, 20);
            using var add = sandbox.Start("add", $"t{trial}");
            var seen = 0;
            await foreach (var line in add.StdoutLines.ReadAllAsync())
            {
                if (line.StartsWith("added ", StringComparison.Ordinal) && ++seen >= killAfter)
                {
                    break;
                }
            }

            add.KillHard();
            var killed = await add.WaitAsync(TimeSpan.FromMinutes(1));
            var acknowledged = killed.PathsWith("added").Where(p => p.EndsWith(".bin", StringComparison.Ordinal)).ToList();
            output.WriteLine($"trial {trial}: killed after {killAfter} added lines; {acknowledged.Count} files acknowledged");
            Assert.NotEmpty(acknowledged);

            var spool = Path.Combine(sandbox.Repo, "backends", "remote", "spool");
            Assert.NotEmpty(Directory.EnumerateFiles(spool));
            if (trial == 0)
            {
                // The catalogue's queue says the same (later trials skip the extra process to stay fast).
                var queued = Remote(await ListAsync(sandbox)).GetProperty("queue");
                Assert.True(queued.GetProperty("objects").GetInt64() > 0, "the platform was down, so the queue cannot be empty");
                Assert.True(Isg.Actors.Backends.Local.LocalBlockStore.HoldsNoObject(sandbox.PathOf("platform")), "the platform was down, yet holds objects");
            }

            // A new process with the platform back drains the queue.
            sandbox.Environment.Remove("ISG_TESTREMOTE_FAIL");
            (await sandbox.RunAsync("backend", "drain", "remote")).AssertExit(0);
            Assert.Empty(Directory.EnumerateFiles(spool));

            // Every acknowledged file now comes back bit-exact, the remote blocks from the platform itself.
            var restored = sandbox.PathOf($"restored{trial}");
            (await sandbox.RunAsync("get", $"t{trial}", "-o", restored)).AssertExit(0);
            foreach (var path in acknowledged)
            {
                var relative = path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..];
                Assert.True(File.ReadAllBytes(tree.PathOf(relative)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(restored, relative))),
                    $"trial {trial}: {path} differs after the restart");
            }
        }

        var drained = Remote(await ListAsync(sandbox)).GetProperty("queue");
        Assert.Equal(0, drained.GetProperty("objects").GetInt64());
        Assert.Equal(JsonValueKind.Null, drained.GetProperty("oldestSeconds").ValueKind);
        (await sandbox.RunAsync("check")).AssertExit(0);
    }

    [Fact]
    public async Task BackendList_AfterUploadsFailThenSucceed_ShowsWhatThoseProcessesPersisted()
    {
        using var sandbox = await NewSandboxAsync();
        Assert.Equal("unused", Remote(await ListAsync(sandbox)).GetProperty("health").GetString());
        var tree = new TestTree(sandbox.PathOf("t"), seed: 77);
        for (var i = 0; i < 8; i++)
        {
            tree.AddFile($"f{i}.bin", 100_000 + (i * 1_000));
        }

        tree.Seal();

        // The platform is down: the add is acknowledged from the spool, and the upload fails.
        sandbox.Environment["ISG_TESTREMOTE_FAIL"] = "1";
        (await sandbox.RunAsync("add", "t")).AssertExit(0);
        Assert.True(Remote(await ListAsync(sandbox)).GetProperty("queue").GetProperty("objects").GetInt64() > 0);
        Assert.NotEqual(0, (await sandbox.RunAsync("backend", "drain", "remote")).ExitCode);

        var failing = Remote(await ListAsync(sandbox));
        Assert.Equal("failing", failing.GetProperty("health").GetString());
        var failed = failing.GetProperty("status");
        Assert.Equal("Transient", failed.GetProperty("lastFailureKind").GetString());
        Assert.True(failed.GetProperty("failures").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("lastSuccessAt").ValueKind);
        Assert.Equal(0, failed.GetProperty("bytesUploaded").GetInt64());

        // Back up: a new process uploads, and the next one to look sees it.
        sandbox.Environment.Remove("ISG_TESTREMOTE_FAIL");
        (await sandbox.RunAsync("backend", "drain", "remote")).AssertExit(0);

        var healthy = Remote(await ListAsync(sandbox));
        Assert.Equal("ok", healthy.GetProperty("health").GetString());
        var status = healthy.GetProperty("status");
        Assert.Equal(JsonValueKind.String, status.GetProperty("lastSuccessAt").ValueKind);
        Assert.Equal("Transient", status.GetProperty("lastFailureKind").GetString());
        Assert.True(status.GetProperty("calls").GetInt64() > status.GetProperty("failures").GetInt64());
        Assert.Equal(healthy.GetProperty("bytes").GetInt64(), status.GetProperty("bytesUploaded").GetInt64());
        Assert.True(healthy.GetProperty("objects").GetInt64() > 0);
        var text = (await sandbox.RunAsync("backend", "list")).AssertExit(0).Stdout;
        Assert.Matches(@"remote\s+testremote\s+ok\s", text);
    }

    [Fact]
    public async Task BackendTest_PlatformUpOrDown_ReportsTimingsOrFailsWithStorageError()
    {
        using var sandbox = await NewSandboxAsync();

        var ok = (await sandbox.RunAsync("backend", "test", "remote")).AssertExit(0);
        Assert.Contains("put", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains(" ms", ok.Stdout, StringComparison.Ordinal);

        sandbox.Environment["ISG_TESTREMOTE_FAIL"] = "1";
        (await sandbox.RunAsync("backend", "test", "remote")).AssertError(7, "remote", "put", "Transient");
        (await sandbox.RunAsync("backend", "test", "nosuch")).AssertError(7, "nosuch");
    }

    [Fact]
    public async Task BackendAdd_SecretFromEnvironment_IsStoredSealedAndNeverPrinted()
    {
        const string Token = "tok-9f8e7d6c5b4a-never-print-me";
        using var sandbox = new IsgSandbox(output);
        sandbox.Environment["ISG_ENABLE_TEST_BACKENDS"] = "1";
        sandbox.Environment["MY_TOKEN"] = Token;
        await sandbox.InitAsync();

        var added = (await sandbox.RunAsync("backend", "add", "testremote", "r1", "--path", sandbox.PathOf("p1"), "--token", "env:MY_TOKEN")).AssertExit(0);
        sandbox.Environment.Remove("MY_TOKEN");
        sandbox.Environment["ISG_BACKEND_TOKEN"] = Token;
        (await sandbox.RunAsync("backend", "add", "testremote", "r2", "--path", sandbox.PathOf("p2"))).AssertExit(0);
        (await sandbox.RunAsync("backend", "add", "testremote", "r3", "--path", sandbox.PathOf("p3"), "--token", "env:UNSET_VAR")).AssertError(2, "UNSET_VAR");
        var list = await sandbox.RunAsync("-v", "backend", "list", "--json");

        Assert.Contains("credentials stored encrypted", added.Stdout, StringComparison.Ordinal);
        foreach (var text in new[] { added.Stdout, added.Stderr, list.Stdout, list.Stderr })
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        }

        Assert.All(Directory.EnumerateFiles(sandbox.Repo, "*", SearchOption.AllDirectories), f => Assert.DoesNotContain(Token, File.ReadAllText(f), StringComparison.Ordinal));
        Assert.Equal(["local", "r1", "r2"], list.Json().EnumerateArray().Select(b => b.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task BackendAdd_TestTypeWithoutTheSwitch_IsUnknown()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();

        var result = await sandbox.RunAsync("backend", "add", "testremote", "r", "--path", sandbox.PathOf("p"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(Directory.Exists(sandbox.PathOf("p")));
    }

    private async Task<IsgSandbox> NewSandboxAsync()
    {
        var sandbox = new IsgSandbox(output);
        sandbox.Environment["ISG_ENABLE_TEST_BACKENDS"] = "1";
        await sandbox.InitWithoutParityAsync();
        (await sandbox.RunAsync("backend", "add", "testremote", "remote", "--path", sandbox.PathOf("platform"))).AssertExit(0);
        return sandbox;
    }

    private static async Task<JsonElement> ListAsync(IsgSandbox sandbox) =>
        (await sandbox.RunAsync("backend", "list", "--json")).AssertExit(0).Json();

    private static JsonElement Remote(JsonElement list) =>
        list.EnumerateArray().Single(b => b.GetProperty("name").GetString() == "remote");
}

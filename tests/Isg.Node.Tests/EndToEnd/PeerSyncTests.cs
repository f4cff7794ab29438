using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// Three real `isg node run` processes on 127.0.0.1 that share one repository key and are paired with each other:
/// what one adds, edits or removes reaches the others bit-exact, and concurrent edits keep both versions everywhere.
/// </summary>
public sealed class PeerSyncTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_startup = TimeSpan.FromSeconds(60);
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private sealed record Member(IsgSandbox Sandbox, string DeviceId, int PeerPort, int HttpPort)
    {
        public IsgProcess? Node { get; set; }

        public string[] NodeArgs { get; init; } = [];

        /// <summary>The other members of the cluster: peers this node connects to.</summary>
        public int Peers { get; init; }
    }

    // A initialises the repository; B and C get its marker and wrapped key (as a device joining the cluster does).
    private async Task<Member[]> ClusterAsync(int size, Func<int, string[]>? nodeArgs = null)
    {
        var sandboxes = Enumerable.Range(0, size).Select(_ => Own(new IsgSandbox(output))).ToArray();
        await sandboxes[0].InitAsync();
        foreach (var sandbox in sandboxes.Skip(1))
        {
            sandbox.Environment["ISG_PASSPHRASE"] = sandboxes[0].Environment["ISG_PASSPHRASE"];
            (await sandbox.RunAsync("init", "--join", sandboxes[0].Repo)).AssertExit(0);
        }

        var members = new List<Member>();
        foreach (var sandbox in sandboxes)
        {
            var id = await sandbox.RunAsync("id", "--json");
            id.AssertExit(0);
            var deviceId = JsonDocument.Parse(id.Stdout).RootElement.GetProperty("deviceId").GetString()!;
            var (peerPort, httpPort) = (FreePort(), FreePort());
            sandbox.Environment["ISG_PEER_LISTEN"] = $"127.0.0.1:{peerPort}";
            members.Add(new Member(sandbox, deviceId, peerPort, httpPort) { NodeArgs = nodeArgs?.Invoke(members.Count) ?? [], Peers = size - 1 });
        }

        foreach (var member in members)
        {
            foreach (var other in members.Where(m => m != member))
            {
                (await member.Sandbox.RunAsync("peer", "add", other.DeviceId, "--address", $"127.0.0.1:{other.PeerPort}")).AssertExit(0);
            }
        }

        foreach (var member in members)
        {
            await StartAsync(member);
        }

        return [.. members];
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    private static async Task StartAsync(Member member)
    {
        member.Node = member.Sandbox.Start(["node", "run", "--listen", $"127.0.0.1:{member.HttpPort}", .. member.NodeArgs]);
        await UntilStatusAsync(member, "serves its API", _ => true);
    }

    private static async Task StopAsync(Member member)
    {
        member.Node!.Signal(Posix.SigInt);
        (await member.Node.WaitAsync(TimeSpan.FromSeconds(30))).AssertExit(0);
        member.Node.Dispose();
        member.Node = null;
    }

    // `isg sync --wait` waits for the peers connected now (and for one at least): each member first waits until it is
    // connected to every other one (a node just started, or one whose peer just restarted, may not have dialled them all).
    private static async Task SyncAllAsync(IEnumerable<Member> members)
    {
        foreach (var member in members)
        {
            await ConnectedAsync(member);
            var sync = await member.Sandbox.RunAsync("sync", "--wait", "--timeout", "90");
            sync.AssertExit(0);
        }
    }

    private static Task ConnectedAsync(Member member) =>
        UntilStatusAsync(member, $"is connected to its {member.Peers} peers", status => status.GetProperty("peers").GetArrayLength() >= member.Peers);

    // Polls the member's GET /api/sync until it answers and `done` holds of the answer, or fails after s_startup: the
    // node's API is the only signal of its start and of its connections.
    private static async Task UntilStatusAsync(Member member, string what, Func<JsonElement, bool> done)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{member.HttpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + s_startup;
        while (true)
        {
            if (member.Node!.HasExited)
            {
                var result = await member.Node.WaitAsync(TimeSpan.FromSeconds(10));
                throw new Xunit.Sdk.XunitException($"a node exited before it {what}\n{result.Describe()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/api/sync", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    if (done(status.RootElement))
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new Xunit.Sdk.XunitException($"node {member.DeviceId} did not show it {what} within {s_startup}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<string[]> PathsAsync(Member member)
    {
        var ls = await member.Sandbox.RunAsync("ls", "--json");
        ls.AssertExit(0);
        return [.. JsonDocument.Parse(ls.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("path").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static async Task<byte[]> GetAsync(Member member, string path)
    {
        var target = member.Sandbox.PathOf("out-" + Guid.NewGuid().ToString("N"));
        (await member.Sandbox.RunAsync("get", path, "-o", target)).AssertExit(0);
        return await File.ReadAllBytesAsync(target);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task ThreeNodes_AddEditRemoveOnOne_ReachTheOthersBitExact()
    {
        var cluster = await ClusterAsync(3);
        var (a, b, c) = (cluster[0], cluster[1], cluster[2]);
        var content = new byte[3_000_000];
        new Random(5).NextBytes(content);
        await File.WriteAllBytesAsync(a.Sandbox.PathOf("big.bin"), content);
        await File.WriteAllTextAsync(a.Sandbox.PathOf("note.txt"), "first");
        (await a.Sandbox.RunAsync("add", "big.bin", "note.txt")).AssertExit(0);

        await SyncAllAsync([b, c]);

        foreach (var member in new[] { b, c })
        {
            Assert.Equal(["big.bin", "note.txt"], await PathsAsync(member));
            Assert.Equal(content, await GetAsync(member, "big.bin"));
        }

        // An edit on B and a removal on C travel to everyone.
        await File.WriteAllTextAsync(b.Sandbox.PathOf("note.txt"), "second");
        (await b.Sandbox.RunAsync("add", "note.txt")).AssertExit(0);
        (await c.Sandbox.RunAsync("rm", "big.bin")).AssertExit(0);
        await SyncAllAsync(cluster);
        await SyncAllAsync(cluster);

        foreach (var member in cluster)
        {
            Assert.Equal(["note.txt"], await PathsAsync(member));
            Assert.Equal("second"u8.ToArray(), await GetAsync(member, "note.txt"));
        }

        foreach (var member in cluster)
        {
            await StopAsync(member);
        }
    }

    [Fact]
    public async Task TwoNodes_CatalogueOnlyDevice_GetFetchesTheBlocksFromThePeer()
    {
        var cluster = await ClusterAsync(2, i => i == 1 ? ["--fetch", "on-demand"] : []);
        var (a, b) = (cluster[0], cluster[1]);
        var content = new byte[3_000_000];
        new Random(8).NextBytes(content);
        await File.WriteAllBytesAsync(a.Sandbox.PathOf("film.bin"), content);
        (await a.Sandbox.RunAsync("add", "film.bin")).AssertExit(0);

        await SyncAllAsync([b]);

        Assert.Equal(["film.bin"], await PathsAsync(b));
        Assert.Empty(b.Sandbox.StoredObjects);
        var target = b.Sandbox.PathOf("film-out.bin");
        var get = await b.Sandbox.RunAsync("get", "film.bin", "-o", target);
        get.AssertExit(0);
        Assert.Contains("blocks from peers", get.Stderr, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.NotEmpty(b.Sandbox.StoredObjects);

        foreach (var member in cluster)
        {
            await StopAsync(member);
        }
    }

    // Each seed is a different history of writes, deletes, kills and restarts; a failing seed replays exactly.
    [Theory]
    [InlineData(2026)]
    [InlineData(7)]
    [InlineData(40961)]
    public async Task ThreeNodes_RandomWritesWhileNodesAreKilledAndRestarted_NoAcknowledgedWriteLostAndCataloguesEqual(int seed)
    {
        var cluster = await ClusterAsync(3);
        var random = new Random(seed);
        string[] paths = ["p0.txt", "p1.txt", "p2.txt", "p3.txt"];

        // The last acknowledged operation on each path: its content, or null for a delete.
        var last = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var step = 0; step < 24; step++)
        {
            var member = cluster[random.Next(cluster.Length)];
            if (random.Next(5) == 0)
            {
                // kill -9 and start again: a node dies mid-sync; what was acknowledged is in its catalogue.
                if (member.Node is { } node)
                {
                    node.Signal(Posix.SigKill);
                    await node.WaitAsync(TimeSpan.FromSeconds(30));
                    node.Dispose();
                    member.Node = null;
                }

                await StartAsync(member);
                continue;
            }

            var path = paths[random.Next(paths.Length)];
            if (random.Next(4) == 0)
            {
                var rm = await member.Sandbox.RunAsync("rm", path);
                if (rm.ExitCode == 0)
                {
                    last[path] = null;
                }

                continue;
            }

            var content = $"step {step} on {member.DeviceId[..7]}";
            await File.WriteAllTextAsync(member.Sandbox.PathOf(path), content);
            (await member.Sandbox.RunAsync("add", path)).AssertExit(0);
            last[path] = content;
        }

        // Heal: every node up, then sync until in step.
        foreach (var member in cluster.Where(m => m.Node is null))
        {
            await StartAsync(member);
        }

        await SyncAllAsync(cluster);
        await SyncAllAsync(cluster);

        var reference = await PathsAsync(cluster[0]);
        var roots = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in cluster)
        {
            Assert.Equal(reference, await PathsAsync(member));
            var status = await member.Sandbox.RunAsync("status", "--json");
            status.AssertExit(0);
            roots.Add(JsonDocument.Parse(status.Stdout).RootElement.GetProperty("root").GetString()!);
        }

        Assert.Single(roots);

        // The last acknowledged write of a path survives (at the path, or as a conflict copy of a concurrent one).
        foreach (var (path, content) in last.Where(l => l.Value is not null))
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            var candidates = reference.Where(p => p == path || p.StartsWith(stem + ".conflict-", StringComparison.Ordinal)).ToList();
            var contents = new List<string>();
            foreach (var candidate in candidates)
            {
                contents.Add(System.Text.Encoding.UTF8.GetString(await GetAsync(cluster[0], candidate)));
            }

            Assert.Contains(content, contents);
        }

        foreach (var member in cluster)
        {
            await StopAsync(member);
        }
    }

    [Fact]
    public async Task SyncWait_LoneNode_AnswersAtOnceThatThereIsNothingToBeInStepWith()
    {
        var node = (await ClusterAsync(1))[0];

        var sync = await node.Sandbox.RunAsync("sync", "--wait", "--timeout", "30");

        sync.AssertExit(0);
        Assert.Contains("no peer connected: nothing to be in step with", sync.Stdout, StringComparison.Ordinal);
        await StopAsync(node);
    }

    [Fact]
    public async Task SyncWait_KnownPeerNotConnected_WaitsForItAndSyncsOnceItConnects()
    {
        var (a, b) = await ClusterAsync(2) is [var first, var second] ? (first, second) : throw new InvalidOperationException();
        // Stopped as soon as its API answers: a node stopped at once after starting still stops cleanly (exit 0).
        await StopAsync(b);
        await UntilStatusAsync(a, "has no peer connected", status => status.GetProperty("peers").GetArrayLength() == 0);
        await File.WriteAllTextAsync(a.Sandbox.PathOf("while-b-was-away.txt"), "hello");
        (await a.Sandbox.RunAsync("add", "while-b-was-away.txt")).AssertExit(0);

        var timedOut = await a.Sandbox.RunAsync("sync", "--wait", "--timeout", "2");

        Assert.Equal(9, timedOut.ExitCode);
        Assert.Contains("waiting for one of 1 known peers to connect", timedOut.Stdout, StringComparison.Ordinal);
        Assert.Contains("no peer connected before the timeout", timedOut.Stderr, StringComparison.Ordinal);

        // Started again without waiting for its connection: `sync --wait` itself must wait for it, then for the pull.
        await StartAsync(b);
        var synced = await a.Sandbox.RunAsync("sync", "--wait", "--timeout", "90");
        synced.AssertExit(0);
        Assert.Contains("in step with every connected peer", synced.Stdout, StringComparison.Ordinal);
        (await b.Sandbox.RunAsync("sync", "--wait", "--timeout", "90")).AssertExit(0);
        Assert.Equal("hello"u8.ToArray(), await GetAsync(b, "while-b-was-away.txt"));
        await StopAsync(a);
        await StopAsync(b);
    }

    [Fact]
    public async Task TwoNodes_ConcurrentEditsWhileDisconnected_BothVersionsOnBothAfterReconnecting()
    {
        var cluster = await ClusterAsync(2);
        var (a, b) = (cluster[0], cluster[1]);
        await File.WriteAllTextAsync(a.Sandbox.PathOf("doc.txt"), "base");
        (await a.Sandbox.RunAsync("add", "doc.txt")).AssertExit(0);
        await SyncAllAsync([b]);

        await StopAsync(b);
        await File.WriteAllTextAsync(a.Sandbox.PathOf("doc.txt"), "edited on a");
        (await a.Sandbox.RunAsync("add", "doc.txt")).AssertExit(0);
        await File.WriteAllTextAsync(b.Sandbox.PathOf("doc.txt"), "edited on b");
        (await b.Sandbox.RunAsync("add", "doc.txt")).AssertExit(0);
        await StartAsync(b);
        await SyncAllAsync(cluster);
        await SyncAllAsync(cluster);

        var paths = await PathsAsync(a);
        Assert.Equal(paths, await PathsAsync(b));
        var copy = Assert.Single(paths, p => p.Contains(".conflict-", StringComparison.Ordinal));
        Assert.Contains("doc.txt", paths);
        foreach (var member in cluster)
        {
            var versions = new[] { await GetAsync(member, "doc.txt"), await GetAsync(member, copy) }.Select(System.Text.Encoding.UTF8.GetString).Order().ToArray();
            Assert.Equal(["edited on a", "edited on b"], versions);
        }

        foreach (var member in cluster)
        {
            await StopAsync(member);
        }
    }
}

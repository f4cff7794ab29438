using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg node run`'s healer: its first pass repairs a damaged shard, and /api/health and /api/health/events say so.</summary>
public sealed class HealthApiTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task NodeRun_DamagedShard_FirstPassRepairsItAndTheApiReportsIt()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("config", "set", "redundancy", "4+2")).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 81);
        tree.AddFile("big.bin", 5_000_000);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);
        // A data shard, as the catalogue records it (the smallest, for a fixed choice).
        var victim = sandbox.DataShardObjects.MinBy(sandbox.ObjectLength)!;
        sandbox.DeleteObject(victim);

        var port = FreePort();
        using var node = sandbox.Start("node", "run", "--listen", $"127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        // The node's healer starts a pass at once (none has run yet); wait for its end on the events endpoint.
        var events = await WaitForAsync(http, node, "/api/health/events?since=0",
            e => e.GetProperty("events").EnumerateArray().Any(x => x.GetProperty("kind").GetString() == "PassFinished"));
        var kinds = events.GetProperty("events").EnumerateArray().Select(x => x.GetProperty("kind").GetString()).ToList();
        Assert.Equal("PassStarted", kinds[0]);
        Assert.Contains("ShardMissing", kinds);
        var repaired = Assert.Single(events.GetProperty("events").EnumerateArray(), x => x.GetProperty("kind").GetString() == "ShardRepaired");
        Assert.Equal(victim, repaired.GetProperty("object").GetString());
        Assert.Equal(["t/big.bin"], repaired.GetProperty("files").EnumerateArray().Select(f => f.GetString()!));
        Assert.True(sandbox.HoldsObject(victim));

        var last = events.GetProperty("last").GetInt64();
        var later = await GetJsonAsync(http, $"/api/health/events?since={last}");
        Assert.Empty(later.GetProperty("events").EnumerateArray());

        var health = await GetJsonAsync(http, "/api/health");
        Assert.Equal("healthy", health.GetProperty("state").GetString());
        Assert.True(health.GetProperty("stripes").GetProperty("total").GetInt32() >= 1);
        Assert.Equal(1, health.GetProperty("lastPass").GetProperty("repaired").GetInt32());
        Assert.Equal(0, health.GetProperty("backends")[0].GetProperty("badShards").GetInt32());
        node.Signal(2);
        await node.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient http, IsgProcess node, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (true)
        {
            if (node.HasExited)
            {
                var result = await node.WaitAsync(TimeSpan.FromSeconds(10));
                throw new Xunit.Sdk.XunitException($"the node exited\n{result.Describe()}");
            }

            try
            {
                var json = await GetJsonAsync(http, path);
                if (done(json))
                {
                    return json;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state in {s_deadline}");
            // Polling another process's HTTP endpoint: there is nothing in-process to wait on.
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

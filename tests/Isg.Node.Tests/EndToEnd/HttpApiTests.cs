using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Isg.TestKit;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg node run` as a real process: its HTTP API, the token guard on writes, and a clean stop on SIGINT.</summary>
public sealed class HttpApiTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_startupDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NodeRun_ServesApiAndDashboardGuardsWritesAndStopsOnSigint()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox);
        var (node, http) = (running.Process, running.Http);
        var health = running.Health;

        // The node created the repository on first use.
        var marker = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(sandbox.Repo, "isg-repository.json"))).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(marker.GetProperty("id").GetString(), health.GetProperty("repository").GetString());
        Assert.True(health.GetProperty("uptimeSeconds").GetInt64() >= 0);

        // The CLI can add while the node holds the repository open.
        var tree = new TestTree(sandbox.PathOf("docs"), seed: 61);
        tree.AddFile("a.txt", 1000, ContentKind.Text);
        tree.AddFile("sub/b.bin", 70_000);
        tree.AddFile("sub/c.bin", 5);
        tree.Seal();

        // Stored bytes are compared with the stored objects below: no parity objects among them.
        (await sandbox.RunAsync("config", "set", "redundancy", "0")).AssertExit(0);
        (await sandbox.RunAsync("add", "docs")).AssertExit(0);

        var stats = await GetJsonAsync(http, "/api/stats");
        Assert.Equal(3, stats.GetProperty("files").GetInt64());
        Assert.Equal(2, stats.GetProperty("directories").GetInt64());
        Assert.Equal(71_005, stats.GetProperty("logicalBytes").GetInt64());
        Assert.Equal(sandbox.TotalLength(sandbox.StoredObjects), stats.GetProperty("storedBytes").GetInt64());

        var sub = await GetJsonAsync(http, "/api/files?prefix=docs/sub");
        Assert.Equal(["docs/sub", "docs/sub/b.bin", "docs/sub/c.bin"], Paths(sub));
        Assert.False(sub.GetProperty("more").GetBoolean());
        Assert.Equal(70_000, sub.GetProperty("files")[1].GetProperty("size").GetInt64());
        var page = await GetJsonAsync(http, "/api/files?prefix=docs&limit=2&offset=1");
        Assert.Equal(["docs/a.txt", "docs/sub"], Paths(page));
        Assert.True(page.GetProperty("more").GetBoolean());
        Assert.Empty(Paths(await GetJsonAsync(http, "/api/files?prefix=doc")));
        using (var climbing = await http.GetAsync(new Uri("/api/files?prefix=../etc", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, climbing.StatusCode);
        }

        using (var dashboard = await http.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<html", await dashboard.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        // Writes need the token from <repo>/api-token, which only its owner may read.
        var tokenFile = Path.Combine(sandbox.Repo, "api-token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        var token = File.ReadAllText(tokenFile).Trim();
        using (var anonymous = await http.PostAsync(new Uri("/api/files", UriKind.Relative), new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, "/api/files", "not-the-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, "/", token[..^1]));
        Assert.NotEqual(HttpStatusCode.Unauthorized, await PostAsync(http, "/api/files", token));

        node.Signal(Posix.SigInt);
        var stopped = await node.WaitAsync(TimeSpan.FromSeconds(30));
        sandbox.Log(stopped);
        stopped.AssertExit(0);
        Assert.Contains($"serving http://127.0.0.1:{http.BaseAddress!.Port}", stopped.Stdout, StringComparison.Ordinal);
        Assert.Contains("stopping node", stopped.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, stopped.Stdout + stopped.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRun_Sigterm_StopsCleanly()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox);
        var (node, http) = (running.Process, running.Http);

        node.Signal(Posix.SigTerm);
        var stopped = await node.WaitAsync(TimeSpan.FromSeconds(30));
        sandbox.Log(stopped);
        stopped.AssertExit(0);
        Assert.Contains("stopping node", stopped.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRun_InAFolderWithSubfolders_WatchesNoFolder()
    {
        // The web host's defaults would watch its working directory recursively (one inotify watch per folder below
        // it, the repository's included), so a node started in a home directory would wake on every block it writes.
        using var sandbox = new IsgSandbox(output);
        Directory.CreateDirectory(sandbox.PathOf("documents/taxes/2026"));
        using var running = await StartNodeAsync(sandbox);
        var (node, http) = (running.Process, running.Http);

        var watches = Directory.EnumerateFiles($"/proc/{node.Id}/fdinfo")
            .SelectMany(ReadLinesOrNone)
            .Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));

        Assert.Equal(0, watches);
        node.Signal(Posix.SigInt);
        (await node.WaitAsync(TimeSpan.FromSeconds(30))).AssertExit(0);
    }

    [Fact]
    public async Task ApiAdd_WithToken_TheNodeAddsALocalFolderAndRefusesBadPaths()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox, TimeSpan.FromSeconds(60));
        var (node, http) = (running.Process, running.Http);
        var token = File.ReadAllText(Path.Combine(sandbox.Repo, "api-token")).Trim();
        var tree = new TestTree(sandbox.PathOf("photos"), seed: 62);
        tree.AddFile("a.jpg", 30_000);
        tree.AddFile("trip/b.jpg", 5);
        tree.Seal();
        var folder = Uri.EscapeDataString(sandbox.PathOf("photos"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, $"/api/add?path={folder}&as=pics", token: null)).Status);
        var (status, body) = await SendAsync(http, $"/api/add?path={folder}&as=pics", token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, body.GetProperty("filesAdded").GetInt32()); // two files and two folders
        Assert.Equal(0, body.GetProperty("filesFailed").GetInt32());
        Assert.Equal(30_005, body.GetProperty("bytesRead").GetInt64());
        Assert.Equal(["pics", "pics/a.jpg", "pics/trip", "pics/trip/b.jpg"], Paths(await GetJsonAsync(http, "/api/files?prefix=pics")));
        (await sandbox.RunAsync("get", "pics", "-o", sandbox.PathOf("back"))).AssertExit(0);
        TestTree.AssertSame(tree.Root, sandbox.PathOf("back"));

        var again = await SendAsync(http, $"/api/add?path={folder}&as=pics", token);
        Assert.Equal(4, again.Body.GetProperty("filesUnchanged").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, "/api/add?path=photos", token)).Status);
        var missing = await SendAsync(http, $"/api/add?path={Uri.EscapeDataString(sandbox.PathOf("nothing"))}", token);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("no such file", missing.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        node.Signal(Posix.SigInt);
        (await node.WaitAsync(TimeSpan.FromSeconds(30))).AssertExit(0);
    }

    [Fact]
    public async Task CliAdd_WhileTheNodeRuns_TheNodeDoesTheAddWithoutThePassphrase()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox);
        var tree = new TestTree(sandbox.PathOf("docs"), seed: 64);
        tree.AddFile("a.txt", 1000, ContentKind.Text);
        tree.AddFile("sub/b.bin", 3 << 20);
        tree.Seal();
        var passphrase = sandbox.Passphrase;

        // A wrong passphrase in this process: only the node, which holds the repository open, can do this add.
        sandbox.Environment["ISG_PASSPHRASE"] = "not the passphrase";
        var added = (await sandbox.RunAsync("add", "docs")).AssertExit(0);
        Assert.Equal(["docs", "docs/a.txt", "docs/sub", "docs/sub/b.bin"], added.PathsWith("added").Order(StringComparer.Ordinal));
        Assert.Contains("4 added, 0 unchanged, 0 failed", added.Stdout, StringComparison.Ordinal);
        var again = (await sandbox.RunAsync("add", "docs")).AssertExit(0);
        Assert.Contains("0 added, 4 unchanged, 0 failed", again.Stdout, StringComparison.Ordinal);
        (await sandbox.RunAsync("add", "--no-node", "docs")).AssertError(4, "wrong passphrase");

        sandbox.Environment["ISG_PASSPHRASE"] = passphrase;
        (await sandbox.RunAsync("get", "docs", "-o", sandbox.PathOf("back"))).AssertExit(0);
        TestTree.AssertSame(tree.Root, sandbox.PathOf("back"));

        running.Process.Signal(Posix.SigInt);
        (await running.Process.WaitAsync(TimeSpan.FromSeconds(30))).AssertExit(0);
        sandbox.Environment["ISG_PASSPHRASE"] = "not the passphrase";
        (await sandbox.RunAsync("add", "docs")).AssertError(4, "wrong passphrase");
    }

    [Fact]
    public async Task ApiAdd_AskedForNdjson_StreamsProgressThenTheReport()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox);
        var token = File.ReadAllText(Path.Combine(sandbox.Repo, "api-token")).Trim();
        File.WriteAllBytes(sandbox.PathOf("one.bin"), new byte[300_000]);
        Directory.CreateDirectory(sandbox.PathOf("two"));
        File.WriteAllText(sandbox.PathOf("two/x.txt"), "x");
        var one = Uri.EscapeDataString(sandbox.PathOf("one.bin"));
        var two = Uri.EscapeDataString(sandbox.PathOf("two"));

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/add?path={one}&as=first.bin&path={two}&as=second", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await running.Http.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.All(lines, l => Assert.Single(l.EnumerateObject()));
        Assert.All(lines.SkipLast(1), l => Assert.True(l.TryGetProperty("progress", out _)));
        var done = lines.Select(l => l.TryGetProperty("progress", out var p) && p.GetProperty("event").GetString() == "fileDone" ? p.GetProperty("path").GetString() : null)
            .OfType<string>().Order(StringComparer.Ordinal);
        Assert.Equal(["first.bin", "second", "second/x.txt"], done);
        var report = lines[^1].GetProperty("report");
        Assert.Equal(3, report.GetProperty("filesAdded").GetInt32());
        Assert.Equal(300_001, report.GetProperty("bytesRead").GetInt64());

        var (status, problem) = await SendAsync(running.Http, $"/api/add?path={one}&path={two}&as=only-one", token);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Usage", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ApiAdd_LargeFile_TheNodeStoresItsBlocksPastThePageCache()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox, TimeSpan.FromSeconds(60));
        var (node, http) = (running.Process, running.Http);
        var token = File.ReadAllText(Path.Combine(sandbox.Repo, "api-token")).Trim();
        var content = new byte[6 << 20];
        new Random(63).NextBytes(content);
        File.WriteAllBytes(sandbox.PathOf("big.bin"), content);

        var (status, _) = await SendAsync(http, $"/api/add?path={Uri.EscapeDataString(sandbox.PathOf("big.bin"))}&as=big.bin", token);

        Assert.Equal(HttpStatusCode.OK, status);
        // Where the store keeps the bytes of its large objects (in packs): none of their pages may be cached.
        var blocks = sandbox.StoredObjects.Select(sandbox.LocateObject).Where(at => at.Length >= 256 * 1024).ToList();
        Assert.NotEmpty(blocks);
        Assert.All(blocks, at => Assert.Equal(0, PageCache.ResidentPages(at.Path, at.Offset, at.Length)));
        (await sandbox.RunAsync("get", "big.bin", "-o", sandbox.PathOf("back.bin"))).AssertExit(0);
        Assert.Equal(content, File.ReadAllBytes(sandbox.PathOf("back.bin")));

        node.Signal(Posix.SigInt);
        (await node.WaitAsync(TimeSpan.FromSeconds(30))).AssertExit(0);
    }

    [Fact]
    public async Task IpfsGateway_RawBlockOfAnEntry_ServedVerifiableByItsCid()
    {
        using var sandbox = new IsgSandbox(output);
        using var running = await StartNodeAsync(sandbox);
        var (node, http) = (running.Process, running.Http);

        // Below the smallest chunk, a file is one block: its CID is the CID of its bytes.
        var content = new byte[100_000];
        new Random(12).NextBytes(content);
        File.WriteAllBytes(sandbox.PathOf("one.bin"), content);
        (await sandbox.RunAsync("add", "one.bin")).AssertExit(0);
        var cid = Isg.Protocol.Hashing.Cid.OfRaw(content).ToString();

        using (var raw = await http.GetAsync(new Uri($"/ipfs/{cid}?format=raw", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
            Assert.Equal("application/vnd.ipld.raw", raw.Content.Headers.ContentType?.MediaType);
            Assert.Equal(content, await raw.Content.ReadAsByteArrayAsync());
            Assert.Contains("immutable", raw.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        }

        using (var byAccept = new HttpRequestMessage(HttpMethod.Head, new Uri($"/ipfs/{cid}", UriKind.Relative)))
        {
            byAccept.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.ipld.raw"));
            using var head = await http.SendAsync(byAccept);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        }

        var unknown = Isg.Protocol.Hashing.Cid.OfRaw([1, 2, 3]).ToString();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"/ipfs/{unknown}?format=raw", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotAcceptable, (await http.GetAsync(new Uri($"/ipfs/{cid}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("/ipfs/bnotacid?format=raw", UriKind.Relative))).StatusCode);

        node.Signal(Posix.SigInt);
        (await node.WaitAsync(TimeSpan.FromSeconds(30))).AssertExit(0);
    }

    // A descriptor can close between listing and reading.
    private static string[] ReadLinesOrNone(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }

    // `isg node run` in the sandbox on a free port and a client of its API (requests time out after `timeout`, 30 s by
    // default), once /health answers.
    private static async Task<RunningNode> StartNodeAsync(IsgSandbox sandbox, TimeSpan? timeout = null)
    {
        var port = FreePort();
        var node = sandbox.Start("node", "run", "--listen", $"127.0.0.1:{port}");
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        var running = new RunningNode(node, http, default);
        try
        {
            return running with { Health = await WaitForHealthAsync(http, node) };
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    private sealed record RunningNode(IsgProcess Process, HttpClient Http, JsonElement Health) : IDisposable
    {
        public void Dispose()
        {
            Http.Dispose();
            Process.Dispose();
        }
    }

    // Polls /health until it answers (the node first derives the key and opens the repository), within a deadline.
    private static async Task<JsonElement> WaitForHealthAsync(HttpClient http, IsgProcess node)
    {
        var deadline = DateTime.UtcNow + s_startupDeadline;
        while (true)
        {
            if (node.HasExited)
            {
                var result = await node.WaitAsync(TimeSpan.FromSeconds(10));
                throw new Xunit.Sdk.XunitException($"the node exited before serving\n{result.Describe()}");
            }

            try
            {
                return await GetJsonAsync(http, "/health");
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static List<string> Paths(JsonElement page) =>
        [.. page.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

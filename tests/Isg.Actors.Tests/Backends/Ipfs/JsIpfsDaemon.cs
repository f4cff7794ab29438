using System.Text.Json.Nodes;
using Isg.Actors.Tests.Backends.TestServers;

namespace Isg.Actors.Tests.Backends.Ipfs;

/// <summary>
/// A js-ipfs daemon for one test class: a fresh repository (<c>jsipfs init --profile test</c>) in a temp folder, its
/// HTTP RPC API on a free 127.0.0.1 port, started with <c>--offline</c>, ready when it prints "Daemon is ready".
/// </summary>
public sealed class JsIpfsDaemon : IAsyncLifetime
{
    /// <summary>The npm executable.</summary>
    public const string Tool = "jsipfs";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _repository = new();
    private ServerProcess? _daemon;

    /// <summary>The RPC API address, e.g. http://127.0.0.1:PORT/.</summary>
    public Uri ApiAddress { get; private set; } = null!;

    /// <summary>The daemon's output so far (for failure messages).</summary>
    public string Output => _daemon?.Output ?? string.Empty;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (NpmTools.SkipReason(Tool) is not null)
        {
            return;
        }

        var jsipfs = NpmTools.Require(Tool);
        var environment = new Dictionary<string, string>
        {
            ["IPFS_PATH"] = _repository.Path,
            // js-ipfs 0.66's dependencies call Promise.withResolvers, which Node 20 lacks.
            ["NODE_OPTIONS"] = "--require " + Path.Combine(NpmTools.Folder!, "polyfill.cjs"),
        };
        await ServerProcess.RunAsync(jsipfs, ["init", "--profile", "test"], environment, s_startTimeout);

        // The test profile binds the API to a random port and gRPC to 5003: pin the API to a free port we know, and let
        // gRPC take any, so several daemons can run side by side.
        var port = NpmTools.FreePort();
        var configPath = Path.Combine(_repository.Path, "config");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(configPath))!;
        config["Addresses"]!["API"] = $"/ip4/127.0.0.1/tcp/{port}";
        config["Addresses"]!["RPC"] = "/ip4/127.0.0.1/tcp/0";
        config["Addresses"]!["Gateway"] = "/ip4/127.0.0.1/tcp/0";
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        _daemon = ServerProcess.Start(jsipfs, ["daemon", "--offline"], environment);
        await _daemon.WaitForLineAsync("Daemon is ready", s_startTimeout);
        ApiAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        _daemon?.Dispose();
        _repository.Dispose();
        return Task.CompletedTask;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Isg.Actors.Repositories;
using Isg.Node.Http;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg sync [--wait] [--timeout S] [--json]`: asks the running node to pull from every peer now; with --wait, waits
/// until every connected peer holds the same catalogue and every needed block has arrived, and, when the node knows
/// any peer, until at least one is connected (a node just started has not dialled yet). `isg status [--json]`: the
/// node's peers, pending operations and blocks wanted and in flight. Both talk to the node's HTTP API.
/// </summary>
public static class SyncCommand
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Builds `isg sync`.</summary>
    public static Command CreateSync(GlobalOptions options)
    {
        var wait = new Option<bool>("--wait") { Description = "Wait until every connected peer is in step and every needed block is here (and, when peers are known, one is connected)" };
        var timeout = new Option<double>("--timeout") { Description = "Give up waiting after this many seconds (exit 9)", DefaultValueFactory = _ => 600 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("sync", "Sync the catalogue with peers now (the running node does it continuously)") { wait, timeout, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            using var http = Client(context);
            var status = await SendAsync(http, HttpMethod.Post, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(wait))
            {
                var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(parse.GetValue(timeout));
                var toldWaitingForPeer = false;
                while (true)
                {
                    if (status.GetProperty("converged").GetBoolean())
                    {
                        // In step with no peer connected proves nothing while peers are known: one may be dialling.
                        var known = status.GetProperty("peers").GetArrayLength() > 0 ? 0 : await CountKnownPeersAsync(http, cancellationToken).ConfigureAwait(false);
                        if (known == 0)
                        {
                            break;
                        }

                        if (!toldWaitingForPeer)
                        {
                            context.Output.Line(string.Create(CultureInfo.InvariantCulture, $"waiting for one of {known} known peers to connect"));
                            toldWaitingForPeer = true;
                        }
                    }

                    if (DateTimeOffset.UtcNow >= deadline)
                    {
                        Print(context, status, parse.GetValue(json));
                        context.Output.Error(status.GetProperty("peers").GetArrayLength() == 0 && toldWaitingForPeer
                            ? "no peer connected before the timeout"
                            : "not in step with every peer before the timeout");
                        return ExitCode.Partial;
                    }

                    // Asking again is how a client waits on an HTTP API; the node itself syncs as news arrives.
                    await Task.Delay(s_poll, cancellationToken).ConfigureAwait(false);
                    status = await SendAsync(http, HttpMethod.Get, cancellationToken).ConfigureAwait(false);
                }
            }

            Print(context, status, parse.GetValue(json));
            return ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>Builds `isg status`.</summary>
    public static Command CreateStatus(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("status", "Show the running node's peers, pending operations and blocks wanted and in flight") { json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            using var http = Client(context);
            Print(context, await SendAsync(http, HttpMethod.Get, cancellationToken).ConfigureAwait(false), parse.GetValue(json));
            return ExitCode.Ok;
        }));
        return command;
    }

    private static HttpClient Client(CommandContext context)
    {
        var layout = new RepositoryLayout(context.RepositoryPath);
        return NodeApiClient.TryCreate(layout, s_requestTimeout)
            ?? throw new CliException(ExitCode.Failure, $"no node is running on {layout.Root}: start one with `isg node run`");
    }

    // Paired peers and those admitted by the cluster secret, connected or not (GET /api/peers).
    private static async Task<int> CountKnownPeersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var peers = await SendAsync(http, HttpMethod.Get, cancellationToken, "api/peers").ConfigureAwait(false);
        return peers.GetProperty("peers").GetArrayLength();
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, CancellationToken cancellationToken, string path = "api/sync")
    {
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(ExitCode.Failure, $"the node answered {(int)response.StatusCode}: {body}");
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCode.Failure, $"the node does not answer: {e.Message}");
        }
    }

    private static void Print(CommandContext context, JsonElement status, bool json)
    {
        if (json)
        {
            context.Output.Data(status.GetRawText());
            return;
        }

        var culture = CultureInfo.InvariantCulture;
        context.Output.Line(string.Create(culture,
            $"catalogue: {status.GetProperty("files").GetInt64()} entries, {status.GetProperty("operations").GetInt64()} operations, root {status.GetProperty("root").GetString()![..16]}…"));
        context.Output.Line(string.Create(culture,
            $"blocks: {status.GetProperty("blocksWanted").GetInt32()} wanted, {status.GetProperty("blocksInFlight").GetInt32()} in flight"));
        foreach (var peer in status.GetProperty("peers").EnumerateArray())
        {
            var state = peer.GetProperty("inStep").GetBoolean() ? "in step" : peer.GetProperty("pulling").GetBoolean() ? "pulling" : "behind";
            context.Output.Line(string.Create(culture,
                $"peer {peer.GetProperty("deviceId").GetString()}: {state}, {peer.GetProperty("behind").GetInt64()} operations to pull, {peer.GetProperty("ahead").GetInt64()} to send, {peer.GetProperty("blocksReceived").GetInt64()} blocks received, {peer.GetProperty("badBlocks").GetInt32()} bad"));
        }

        var connected = status.GetProperty("peers").GetArrayLength();
        context.Output.Line(!status.GetProperty("converged").GetBoolean() ? "not yet in step"
            : connected == 0 ? "no peer connected: nothing to be in step with"
            : "in step with every connected peer");
    }
}

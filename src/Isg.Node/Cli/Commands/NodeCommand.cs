using System.CommandLine;
using System.Net;
using Isg.Node.Hosting;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg node run`: hosts the node (actor tree, HTTP API and dashboard) until stopped.</summary>
public static class NodeCommand
{
    /// <summary>The default HTTP endpoint: loopback only.</summary>
    public const string DefaultListen = "127.0.0.1:7480";

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var listen = new Option<string>("--listen")
        {
            Description = $"HTTP address for the API and dashboard (default {DefaultListen})",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISG_LISTEN") ?? DefaultListen,
        };
        var run = new Command("run", "Run the node: creates the repository on first use, serves the HTTP API and dashboard") { listen };
        run.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint) || endpoint.Port == 0)
            {
                throw new CliException(ExitCode.Usage, $"--listen wants ADDRESS:PORT, got '{parse.GetValue(listen)}'");
            }

            await NodeHost.RunAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
            return ExitCode.Ok;
        }));
        return new Command("node", "Run and manage the node") { run };
    }
}

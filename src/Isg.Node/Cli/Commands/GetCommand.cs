using System.CommandLine;
using System.Net;
using System.Text.Json;
using Isg.Actors.Hosting;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Node.Cli.Output;
using Isg.Node.Http;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg get PATH [-o OUT]`: restores a file or directory, verifying every block. When a node runs on the repository,
/// it first fetches from its peers the blocks this device does not hold (a catalogue-only device).
/// </summary>
public static class GetCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var path = new Argument<string>("path") { Description = "Catalogue path of a file or directory" };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Where to write it (default: its name in the current directory)",
        };
        var force = new Option<bool>("--force", "-f") { Description = "Replace existing files" };
        var command = new Command("get", "Restore a file or directory from the repository") { path, output, force };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            if (!CatalogPath.TryNormalize(parse.GetValue(path) ?? string.Empty, out var catalogPath, out var error))
            {
                throw new CliException(ExitCode.Usage, error.Message);
            }

            var target = Path.GetFullPath(parse.GetValue(output) is { Length: > 0 } o
                ? o
                : (catalogPath.Length == 0 ? "." : CatalogPath.Name(catalogPath)));
            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);

            // After opening the repository, so a wrong place or passphrase is reported as such first.
            await FetchThroughRunningNodeAsync(context, catalogPath, cancellationToken).ConfigureAwait(false);
            return await RestoreAsync(context.Output, node, new RestoreRequest(catalogPath, target, parse.GetValue(force)), "files", string.Empty,
                cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="request"/> with progress, prints "N <paramref name="entries"/>, SIZE restored<paramref name="source"/>
    /// to TARGET" (and how many failed) and returns the exit code the report calls for. Shared with `isg snapshot restore`.
    /// </summary>
    internal static async Task<ExitCode> RestoreAsync(ConsoleOutput output, StorageNode node, RestoreRequest request, string entries, string source,
        CancellationToken cancellationToken)
    {
        var report = await TransferRenderer.RunAsync(output, "restoring", "restored", progress => node.RestoreAsync(request, progress, cancellationToken))
            .ConfigureAwait(false);
        output.Line($"{report.Files} {entries}, {ByteSize.Format(report.Bytes)} restored{source} to {request.OutputPath}" +
            (report.Failures.Count > 0 ? $"; {report.Failures.Count} failed" : string.Empty));
        // Damaged stored data is what exit code 5 reports; a file kept back for a local reason (it exists, a
        // write failed) makes the restore partial.
        return report.CorruptFiles > 0 ? ExitCode.DataCorrupt
            : report.Failures.Count > 0 ? ExitCode.Partial
            : ExitCode.Ok;
    }

    // This process has no peers of its own; the running node does (POST /api/fetch). Without a node, or when it cannot
    // help, the restore goes on with what is here and reports what is missing.
    private static async Task FetchThroughRunningNodeAsync(CommandContext context, string catalogPath, CancellationToken cancellationToken)
    {
        using var http = NodeApiClient.TryCreate(new RepositoryLayout(context.RepositoryPath), Timeout.InfiniteTimeSpan);
        if (http is null)
        {
            return;
        }

        try
        {
            using var response = await http.PostAsync(new Uri($"api/fetch?path={Uri.EscapeDataString(catalogPath)}", UriKind.Relative), null, cancellationToken)
                .ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            if (!response.IsSuccessStatusCode)
            {
                context.Output.Warn($"the running node could not fetch from its peers (HTTP {(int)response.StatusCode}); restoring what is here");
                return;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var requested = body.RootElement.GetProperty("requested").GetInt64();
            var missing = body.RootElement.GetProperty("missing").GetArrayLength();
            if (requested > 0)
            {
                context.Output.Progress($"fetched {requested - missing} blocks from peers" + (missing > 0 ? $"; {missing} held by no connected peer" : string.Empty));
            }
        }
        catch (HttpRequestException e)
        {
            context.Output.Warn($"the running node did not answer ({e.Message}); restoring what is here");
        }
    }
}

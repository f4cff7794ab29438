using System.CommandLine;
using Isg.Actors.Hosting;
using Isg.Actors.Restore;
using Isg.Node.Cli.Output;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg get PATH [-o OUT]`: restores a file or directory, verifying every block.</summary>
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
}

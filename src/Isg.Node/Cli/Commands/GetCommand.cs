using System.CommandLine;
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
            var report = await TransferRenderer.RunAsync(context.Output, "restoring", "restored",
                progress => node.RestoreAsync(new RestoreRequest(catalogPath, target, parse.GetValue(force)), progress, cancellationToken))
                .ConfigureAwait(false);
            context.Output.Line($"{report.Files} files, {ByteSize.Format(report.Bytes)} restored to {target}" +
                (report.Failures.Count > 0 ? $"; {report.Failures.Count} failed" : string.Empty));
            // Damaged stored data is what exit code 5 reports; a file kept back for a local reason (it exists, a
            // write failed) makes the restore partial.
            return report.CorruptFiles > 0 ? ExitCode.DataCorrupt
                : report.Failures.Count > 0 ? ExitCode.Partial
                : ExitCode.Ok;
        }));
        return command;
    }
}

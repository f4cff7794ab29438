using System.CommandLine;
using Isg.Node.Cli.Output;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg rm PATH [-r]`: removes catalogue entries and frees blocks no other file uses.</summary>
public static class RmCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var path = new Argument<string>("path") { Description = "Catalogue path to remove" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Remove a directory and everything below it" };
        var command = new Command("rm", "Remove a file (or, with -r, a directory) from the repository") { path, recursive };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            if (!CatalogPath.TryNormalize(parse.GetValue(path) ?? string.Empty, out var catalogPath, out var error) || catalogPath.Length == 0)
            {
                throw new CliException(ExitCode.Usage, catalogPath.Length == 0 ? "refusing to remove the root" : error.Message);
            }

            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var report = await node.RemoveAsync(catalogPath, parse.GetValue(recursive), cancellationToken).ConfigureAwait(false);
            context.Output.Line($"removed {report.Entries} entries; {report.BlocksReleased} blocks ({ByteSize.Format(report.BytesReclaimable)}) are now unreferenced and reclaimable by `isg gc`");
            return ExitCode.Ok;
        }));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Isg.Actors.Catalog;
using Isg.Node.Cli.Output;
using Isg.Node.Json;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg ls [PREFIX] [--long] [--json]`: lists catalogue entries under a path.</summary>
public static class LsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var prefix = new Argument<string?>("prefix") { Description = "List only this path and what lies below it", Arity = ArgumentArity.ZeroOrOne };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show kind, mode, size, mtime and blocks" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("ls", "List files in the repository") { prefix, longFormat, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            if (!CatalogPath.TryNormalize(parse.GetValue(prefix) ?? string.Empty, out var catalogPath, out var error))
            {
                throw new CliException(ExitCode.Usage, error.Message);
            }

            using var repository = context.OpenRepository();
            using var reader = repository.Catalog.CreateReader();
            var entries = reader.ListFiles(catalogPath);
            var any = false;
            if (parse.GetValue(json))
            {
                var list = entries.Select(CatalogJson.File).ToList();
                any = list.Count > 0;
                context.Output.Json(list);
            }
            else
            {
                foreach (var entry in entries)
                {
                    any = true;
                    context.Output.Data(parse.GetValue(longFormat) ? FormatLong(entry) : entry.Path);
                }
            }

            if (!any && catalogPath.Length > 0)
            {
                throw new CliException(ExitCode.NotFound, $"{catalogPath}: not in the repository");
            }

            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }

    private static string FormatLong(FileEntry entry)
    {
        var kind = entry.Kind switch { FileKind.Directory => 'd', FileKind.Symlink => 'l', _ => '-' };
        var mtime = DateTimeOffset.UnixEpoch.AddTicks(entry.MtimeUnixNs / 100).ToLocalTime();
        var name = entry.Kind == FileKind.Symlink ? $"{entry.Path} -> {entry.LinkTarget}" : entry.Path;
        return string.Create(CultureInfo.InvariantCulture,
            $"{kind}{Convert.ToString(entry.Mode & 0xFFF, 8),4} {entry.Size,14:N0} {mtime:yyyy-MM-dd HH:mm:ss} {entry.BlockCount,6} {name}");
    }
}

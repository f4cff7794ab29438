using System.CommandLine;
using Isg.Actors.Ingest;
using Isg.Node.Cli.Output;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg add PATH...`: stores files and directories (recursively), keeping mtime and mode.</summary>
public static class AddCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var paths = new Argument<string[]>("path")
        {
            Description = "Files or directories to add; they are stored under their relative path (a leading / is dropped)",
            Arity = ArgumentArity.OneOrMore,
        };
        var storeAs = new Option<string?>("--as")
        {
            Description = "Store the single PATH under this catalogue path instead",
        };
        var reread = new Option<bool>("--reread")
        {
            Description = "Read every file even when its size and mtime match the catalogue",
        };
        var command = new Command("add", "Add files and directories to the repository") { paths, storeAs, reread };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var given = parse.GetValue(paths) ?? [];
            var sources = BuildSources(given, parse.GetValue(storeAs));
            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var report = await TransferRenderer.RunAsync(context.Output, "adding", "added",
                progress => node.AddAsync(sources, new IngestOptions(parse.GetValue(reread)), progress, cancellationToken)).ConfigureAwait(false);
            context.Output.Line(
                $"{report.FilesAdded} added, {report.FilesUnchanged} unchanged, {report.FilesFailed} failed; " +
                $"read {ByteSize.Format(report.BytesRead)}, stored {ByteSize.Format(report.BytesStored)} new " +
                $"({report.NewBlocks} new blocks, {report.DedupBlocks} deduplicated)");
            return report.FilesFailed > 0 ? ExitCode.Partial : ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>Maps command-line paths to (local path, catalogue path) pairs, tar style.</summary>
    internal static IReadOnlyList<IngestSource> BuildSources(IReadOnlyList<string> given, string? storeAs)
    {
        if (storeAs is not null && given.Count != 1)
        {
            throw new CliException(ExitCode.Usage, "--as takes exactly one PATH");
        }

        var sources = new List<IngestSource>(given.Count);
        foreach (var text in given)
        {
            var local = Path.GetFullPath(text);
            if (!File.Exists(local) && !Directory.Exists(local) && new FileInfo(local).LinkTarget is null)
            {
                throw new CliException(ExitCode.NotFound, $"{text}: no such file or directory");
            }

            // Relative paths are kept as typed; absolute ones, or ones that climb with "..", lose the root.
            var nameSource = storeAs ?? (Path.IsPathRooted(text) || text.Split('/').Contains("..") ? local : text);
            if (!CatalogPath.TryNormalize(nameSource, out var catalogPath, out var error))
            {
                throw new CliException(ExitCode.Usage, $"{text}: {error.Message}");
            }

            if (catalogPath.Length == 0)
            {
                throw new CliException(ExitCode.Usage, $"{text}: cannot be stored as the root; use --as NAME");
            }

            sources.Add(new IngestSource(local, catalogPath));
        }

        return sources;
    }
}

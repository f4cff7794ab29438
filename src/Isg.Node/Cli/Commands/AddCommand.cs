using System.CommandLine;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Node.Cli.Output;
using Isg.Node.Http;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg add PATH...`: stores files and directories (recursively), keeping mtime and mode. When a node runs on the
/// repository, the node does the add (<see cref="NodeAdd"/>); otherwise this process opens the repository and does it.
/// </summary>
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
        var noNode = new Option<bool>("--no-node")
        {
            Description = "Add in this process even when a node runs on the repository (say, files only this user may read)",
        };
        var command = new Command("add", "Add files and directories to the repository") { paths, storeAs, reread, noNode };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var given = parse.GetValue(paths) ?? [];
            var sources = BuildSources(given, parse.GetValue(storeAs));
            var ingest = new IngestOptions(parse.GetValue(reread));
            var report = (parse.GetValue(noNode) ? null : await AddThroughRunningNodeAsync(context, sources, ingest, cancellationToken).ConfigureAwait(false))
                ?? await AddHereAsync(context, sources, ingest, cancellationToken).ConfigureAwait(false);
            context.Output.Line(
                $"{report.FilesAdded} added, {report.FilesUnchanged} unchanged, {report.FilesFailed} failed; " +
                $"read {ByteSize.Format(report.BytesRead)}, stored {ByteSize.Format(report.BytesStored)} new " +
                $"({report.NewBlocks} new blocks, {report.DedupBlocks} deduplicated)");
            return report.FilesFailed > 0 ? ExitCode.Partial : ExitCode.Ok;
        }));
        return command;
    }

    // A node running on the repository takes the add (it needs no passphrase then, and its peers fetch the blocks as
    // they are stored); null when there is none, or it cannot see these paths.
    private static async Task<IngestReport?> AddThroughRunningNodeAsync(CommandContext context, IReadOnlyList<IngestSource> sources, IngestOptions ingest,
        CancellationToken cancellationToken)
    {
        using var add = await NodeAdd.TryStartAsync(new RepositoryLayout(context.RepositoryPath), sources, ingest, context.Output, cancellationToken)
            .ConfigureAwait(false);
        return add is null
            ? null
            : await TransferRenderer.RunAsync(context.Output, "adding", "added", progress => add.ReadAsync(progress, cancellationToken)).ConfigureAwait(false);
    }

    private static async Task<IngestReport> AddHereAsync(CommandContext context, IReadOnlyList<IngestSource> sources, IngestOptions ingest,
        CancellationToken cancellationToken)
    {
        var node = context.StartNode();
        await using var nodeScope = node.ConfigureAwait(false);
        return await TransferRenderer.RunAsync(context.Output, "adding", "added", progress => node.AddAsync(sources, ingest, progress, cancellationToken))
            .ConfigureAwait(false);
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

using System.CommandLine;
using System.Globalization;
using Isg.Actors.Catalog;
using Isg.Actors.Hosting;
using Isg.Actors.Restore;
using Isg.Actors.Snapshots;
using Isg.Node.Cli.Output;
using Isg.Node.Json;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg snapshot create|list|restore|diff|prune`: named, block-sharing states of the catalogue.</summary>
public static class SnapshotCommand
{
    /// <summary>The word `diff` takes for the live catalogue.</summary>
    public const string Current = "current";

    private const int RootPrefix = 12;

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options) => new("snapshot", "Record, list, restore, compare and prune snapshots")
    {
        CreateCreate(options),
        CreateList(options),
        CreateRestore(options),
        CreateDiff(options),
        CreatePrune(options),
    };

    private static Command CreateCreate(GlobalOptions options)
    {
        var name = new Argument<string>("name") { Description = "A unique name (not all digits)" };
        var command = new Command("create", "Record the repository's current files as a snapshot (no data is copied)") { name };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var snapshotName = parse.GetValue(name) ?? string.Empty;
            if (SnapshotNames.Problem(snapshotName) is { } problem)
            {
                throw new CliException(ExitCode.Usage, problem);
            }

            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var snapshot = await node.CreateSnapshotAsync(snapshotName, cancellationToken).ConfigureAwait(false);
            context.Output.Line(string.Create(CultureInfo.InvariantCulture,
                $"snapshot {snapshot.Id} '{snapshot.Name}': root {snapshot.Root.ToHex()}, {snapshot.FileCount} entries, {ByteSize.Format(snapshot.TotalSize)}"));
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command CreateList(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array, oldest first" };
        var command = new Command("list", "Show the snapshot history as a tree (children below their parent)") { json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            using var reader = repository.Catalog.CreateReader();
            var snapshots = reader.ListSnapshots();
            if (parse.GetValue(json))
            {
                context.Output.Json(snapshots.Select(CatalogJson.Snapshot).ToList());
                return Task.FromResult(ExitCode.Ok);
            }

            foreach (var (snapshot, depth) in AsTree(snapshots))
            {
                context.Output.Data(string.Create(CultureInfo.InvariantCulture,
                    $"{new string(' ', 2 * depth)}{snapshot.Id,-4} {snapshot.Name,-20} {snapshot.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} {snapshot.FileCount,8} entries {ByteSize.Format(snapshot.TotalSize),12} {snapshot.Root.ToHex()[..RootPrefix]}"));
            }

            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }

    private static Command CreateRestore(GlobalOptions options)
    {
        var snapshot = new Argument<string>("snapshot") { Description = "Snapshot id or name" };
        var path = new Argument<string?>("path") { Description = "Catalogue path in the snapshot (default: everything)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "Where to write it", Required = true };
        var force = new Option<bool>("--force", "-f") { Description = "Replace existing files" };
        var command = new Command("restore", "Restore a snapshot, or a path in it, bit-exact") { snapshot, path, output, force };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            if (!CatalogPath.TryNormalize(parse.GetValue(path) ?? string.Empty, out var catalogPath, out var error))
            {
                throw new CliException(ExitCode.Usage, error.Message);
            }

            var target = Path.GetFullPath(parse.GetValue(output)!);
            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var found = node.FindSnapshot(parse.GetValue(snapshot)!);
            return await GetCommand.RestoreAsync(context.Output, node, new RestoreRequest(catalogPath, target, parse.GetValue(force), found.Id),
                "entries", $" from snapshot '{found.Name}'", cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command CreateDiff(GlobalOptions options)
    {
        var from = new Argument<string>("from") { Description = "Snapshot id or name" };
        var to = new Argument<string>("to") { Description = $"Snapshot id or name, or '{Current}' for the repository as it is now" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("diff", "List files added, removed and modified between two snapshots, and the blocks that changed") { from, to, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            SnapshotInfo Find(string idOrName)
            {
                using var reader = repository.Catalog.CreateReader();
                return reader.FindSnapshot(idOrName) ?? throw new SnapshotNotFoundException(idOrName);
            }

            var first = Find(parse.GetValue(from)!);
            var secondName = parse.GetValue(to)!;
            var second = secondName == Current ? null : Find(secondName);
            var diff = SnapshotDiffer.Diff(repository.Catalog, first, second);
            if (parse.GetValue(json))
            {
                context.Output.Json(CatalogJson.Diff(diff));
                return Task.FromResult(ExitCode.Ok);
            }

            foreach (var change in diff.Changes)
            {
                var mark = change.Kind switch { EntryChangeKind.Added => '+', EntryChangeKind.Removed => '-', _ => 'M' };
                context.Output.Data($"{mark} {change.Path}");
            }

            int Count(EntryChangeKind kind) => diff.Changes.Count(c => c.Kind == kind);
            context.Output.Line(string.Create(CultureInfo.InvariantCulture,
                $"{Count(EntryChangeKind.Added)} added, {Count(EntryChangeKind.Removed)} removed, {Count(EntryChangeKind.Modified)} modified; " +
                $"blocks: {diff.Blocks.BlocksAdded} added ({ByteSize.Format(diff.Blocks.BytesAdded)}), {diff.Blocks.BlocksRemoved} removed ({ByteSize.Format(diff.Blocks.BytesRemoved)})"));
            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }

    private static Command CreatePrune(GlobalOptions options)
    {
        var keepLast = new Option<int>("--keep-last") { Description = "Keep the N newest snapshots" };
        var keepDaily = new Option<int>("--keep-daily") { Description = "Keep the newest snapshot of each of the last N days that have one" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only print what would be removed" };
        var command = new Command("prune", "Remove snapshots the policy does not keep (their data is freed by 'isg gc')") { keepLast, keepDaily, dryRun };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var policy = new RetentionPolicy(parse.GetValue(keepLast), parse.GetValue(keepDaily));
            if (policy.KeepLast < 0 || policy.KeepDaily < 0 || (policy.KeepLast == 0 && policy.KeepDaily == 0))
            {
                throw new CliException(ExitCode.Usage, "give --keep-last and/or --keep-daily a positive count");
            }

            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var report = await node.PruneSnapshotsAsync(policy, TimeZoneInfo.Local, parse.GetValue(dryRun), cancellationToken).ConfigureAwait(false);
            var verb = report.DryRun ? "would remove" : "removed";
            foreach (var snapshot in report.Removed)
            {
                context.Output.Data(string.Create(CultureInfo.InvariantCulture, $"{verb} {snapshot.Id} {snapshot.Name}"));
            }

            var released = report.DryRun
                ? string.Empty
                : string.Create(CultureInfo.InvariantCulture, $"; {report.BlocksReleased} blocks ({ByteSize.Format(report.BytesReleased)}) now unreferenced, freed by 'isg gc'");
            context.Output.Line(string.Create(CultureInfo.InvariantCulture, $"kept {report.Kept.Count}, {verb} {report.Removed.Count} snapshots{released}"));
            return ExitCode.Ok;
        }));
        return command;
    }

    // Depth-first from each root (a snapshot without a parent), children by id: the history as an indented tree.
    private static IEnumerable<(SnapshotInfo Snapshot, int Depth)> AsTree(IReadOnlyList<SnapshotInfo> snapshots)
    {
        var ids = snapshots.Select(s => s.Id).ToHashSet();
        var children = snapshots.Where(s => s.Parent is { } p && ids.Contains(p)).ToLookup(s => s.Parent!.Value);
        var stack = new Stack<(SnapshotInfo, int)>(snapshots.Where(s => s.Parent is not { } p || !ids.Contains(p)).Reverse().Select(s => (s, 0)));
        while (stack.Count > 0)
        {
            var (snapshot, depth) = stack.Pop();
            yield return (snapshot, depth);
            foreach (var child in children[snapshot.Id].OrderByDescending(c => c.Id))
            {
                stack.Push((child, depth + 1));
            }
        }
    }
}

using System.CommandLine;
using Isg.Actors.Catalog;
using Isg.Node.Cli.Output;
using Isg.Node.Json;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg stats [--json]`: files, logical and stored bytes, dedup and compression ratios, parity, what snapshots keep
/// and what gc can reclaim, all from one read of the catalogue.
/// </summary>
public static class StatsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("stats", "Show repository statistics") { json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            using var reader = repository.Catalog.CreateReader();
            CatalogStats stats;
            StorageUse use;
            using (reader.BeginSnapshot())
            {
                stats = reader.GetStats();
                use = reader.GetStorageUse();
            }

            if (parse.GetValue(json))
            {
                context.Output.Json(CatalogJson.Stats(stats, use, repository.Id));
            }
            else
            {
                var lines = new FormattableString[]
                {
                    $"repository        {repository.Id}",
                    $"files             {stats.Files:N0} ({stats.Directories:N0} directories)",
                    $"logical bytes     {ByteSize.Format(stats.LogicalBytes)} ({stats.LogicalBytes:N0})",
                    $"unique blocks     {stats.UniqueBlocks:N0} ({ByteSize.Format(stats.UniquePlainBytes)} before compression)",
                    $"stored bytes      {ByteSize.Format(stats.StoredBytes)} ({stats.StoredBytes:N0})",
                    $"dedup ratio       {stats.DedupRatio:0.00}:1",
                    $"compression ratio {stats.CompressionRatio:0.00}:1",
                    $"redundancy        {repository.Settings.Redundancy}: {use.Stripes:N0} stripes, {use.ParityShards:N0} parity shards ({ByteSize.Format(use.ParityBytes)}), {use.UnprotectedBlocks:N0} blocks unprotected",
                    $"snapshots keep    {use.SnapshotOnlyBlocks:N0} more blocks ({ByteSize.Format(use.SnapshotOnlyBytes)})",
                    $"reclaimable       {use.ReclaimableBlocks:N0} blocks ({ByteSize.Format(use.ReclaimableBytes)}) by `isg gc`",
                };
                foreach (var line in lines)
                {
                    context.Output.Data(FormattableString.Invariant(line));
                }
            }

            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Isg.Actors.GarbageCollection;
using Isg.Node.Cli.Output;
using Isg.Node.Json;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg gc [--dry-run] [--wait SECONDS] [--orphan-grace SECONDS] [--json]`: deletes blocks no file or snapshot
/// references, and objects the catalogue does not know, on every backend (on a platform, only those written longer
/// than the grace period ago). Exit 8 when adds held the repository for the whole wait; 9 when some
/// deletes failed (the next gc retries them).
/// </summary>
public static class GcCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Report what would be deleted; delete nothing" };
        var wait = new Option<double>("--wait")
        {
            Description = "Seconds to wait for running adds before giving up (exit 8)",
            DefaultValueFactory = _ => GcOptions.DefaultWait.TotalSeconds,
        };
        var grace = new Option<double>("--orphan-grace")
        {
            Description = "Seconds: objects on a platform that the catalogue does not know are deleted only once this old (an upload may be about to be recorded)",
            DefaultValueFactory = _ => GcOptions.DefaultOrphanGrace.TotalSeconds,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("gc", "Delete blocks that no file or snapshot references, on every backend") { dryRun, wait, grace, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var seconds = parse.GetValue(wait);
            if (!(seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2))
            {
                throw new CliException(ExitCode.Usage, $"--wait must be a number of seconds ≥ 0, not {seconds.ToString(CultureInfo.InvariantCulture)}");
            }

            var graceSeconds = parse.GetValue(grace);
            if (!(graceSeconds >= 0 && graceSeconds <= TimeSpan.MaxValue.TotalSeconds / 2))
            {
                throw new CliException(ExitCode.Usage, $"--orphan-grace must be a number of seconds ≥ 0, not {graceSeconds.ToString(CultureInfo.InvariantCulture)}");
            }

            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var progress = new SyncProgress(phase =>
            {
                if (phase == GcPhase.WaitingForLock)
                {
                    context.Output.Warn(FormattableString.Invariant($"an add is running; waiting up to {seconds:0.#} s for it to finish"));
                }
            });
            var report = await node.CollectGarbageAsync(
                new GcOptions(parse.GetValue(dryRun), TimeSpan.FromSeconds(seconds)) { OrphanGrace = TimeSpan.FromSeconds(graceSeconds) }, progress, cancellationToken)
                .ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                context.Output.Json(GcJson.Report(report));
            }
            else
            {
                Print(context.Output, report);
            }

            return report.DeleteFailures > 0 ? ExitCode.Partial : ExitCode.Ok;
        }));
        return command;
    }

    private static void Print(ConsoleOutput output, GcReport report)
    {
        if (report.OrphansDeferred > 0)
        {
            output.Line(FormattableString.Invariant(
                $"gc: {report.OrphansDeferred} objects on platforms that the catalogue does not know were written within the grace period: kept for a later run"));
        }

        if (report.FoundNothing)
        {
            output.Line(report.DryRun ? "gc (dry run): nothing to collect" : "gc: nothing to collect");
            return;
        }

        var verb = report.DryRun ? "would delete" : "deleted";
        output.Line(FormattableString.Invariant(
            $"gc{(report.DryRun ? " (dry run)" : string.Empty)}: {verb} {report.BlocksDeleted} blocks ({ByteSize.Format(report.BytesDeleted)}) and {report.OrphansDeleted} orphan objects; stripes removed {report.StripesRemoved}, repacked {report.StripesRepacked}"));
        if (report.BytesWritten > 0)
        {
            output.Line(FormattableString.Invariant(
                $"  repacking wrote {ByteSize.Format(report.BytesWritten)} (new parity, moved blocks): {ByteSize.Format(report.BytesReclaimed)} reclaimed in all"));
        }

        foreach (var backend in report.Backends)
        {
            output.Line(FormattableString.Invariant(
                $"  {backend.Backend}: {backend.ObjectsDeleted} objects ({ByteSize.Format(backend.BytesDeleted)}), {backend.OrphansDeleted} orphans{(backend.DeleteFailures > 0 ? $", {backend.DeleteFailures} deletes failed" : string.Empty)}"));
        }

        if (report.BlocksKeptInLiveStripes > 0 || report.BlocksReferencedAgain > 0)
        {
            output.Line(FormattableString.Invariant(
                $"kept: {report.BlocksKeptInLiveStripes} unreferenced blocks whose stripes still hold live data; {report.BlocksReferencedAgain} blocks referenced again during the run"));
        }

        if (report.DryRun && report.OrphansDeleted > 0)
        {
            output.Line("note: orphan objects may include those of an add still running; a real gc re-checks them under the lock");
        }

        if (report.DeleteFailures > 0)
        {
            output.Warn(FormattableString.Invariant($"{report.DeleteFailures} deletes failed; their objects are orphans now and the next gc retries them"));
        }
    }

    // Reports on the collector's thread, at once (Progress<T> would post to the thread pool and could print late).
    private sealed class SyncProgress(Action<GcPhase> handler) : IProgress<GcPhase>
    {
        public void Report(GcPhase value) => handler(value);
    }
}

using System.CommandLine;
using System.Globalization;
using Isg.Actors.Healing;
using Isg.Node.Cli.Output;
using Isg.Node.Hosting;
using Isg.Node.Json;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg repair [--now] [--json]`: with --now, or when no node runs on the repository, verifies every shard and
/// rewrites the bad ones in this process (from another copy, or rebuilt from the stripe), then reports what was
/// repaired and what is lost. Without --now while `isg node run` serves the repository, it records a request that
/// the node's healer picks up within its poll interval (a minute), and returns at once.
/// Exit 0 everything repaired (or nothing to do), 5 data lost, 9 some shards could not be repaired or read.
/// </summary>
public static class RepairCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var now = new Option<bool>("--now") { Description = "Run a full verify + repair pass in this process now" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("repair", "Repair bad shards: ask the running node's healer, or with --now repair here and now") { now, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var asJson = parse.GetValue(json);
            if (!parse.GetValue(now) && NodeLock.IsHeld(new Actors.Repositories.RepositoryLayout(context.RepositoryPath)))
            {
                using var repository = context.OpenRepository();
                using (var writer = repository.Catalog.CreateWriter())
                {
                    writer.SetConfig(HealerActor.RepairRequestKey, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                }

                if (asJson)
                {
                    context.Output.Json(new { requested = true });
                }
                else
                {
                    context.Output.Line("asked the running node's healer for a repair pass (it starts within a minute); follow it with 'isg health'");
                }

                return ExitCode.Ok;
            }

            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            using var repositoryLock = Actors.Repositories.RepositoryLock.ForAdding(node.Repository.Layout);
            var report = await ScrubRendering.RunAsync(context.Output, asJson, "repairing", "repaired",
                progress => node.ScrubAsync(new ScrubRequest(Repair: true), progress, cancellationToken)).ConfigureAwait(false);
            if (asJson)
            {
                context.Output.Json(HealthJson.Report(report));
            }
            else
            {
                ScrubRendering.Print(context.Output, report, "verified");
            }

            return report.Lost.Count > 0 ? ExitCode.DataCorrupt
                : report.Unrepaired > 0 || report.Unreachable > 0 ? ExitCode.Partial
                : ExitCode.Ok;
        }));
        return command;
    }
}

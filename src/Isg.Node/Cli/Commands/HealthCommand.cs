using System.CommandLine;
using System.Globalization;
using Isg.Actors.Healing;
using Isg.Node.Cli.Output;
using Isg.Node.Json;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg health [--json]`: redundancy from the catalogue and the last scrub's findings (reads no data, so it is fast;
/// damage shows once a scrub or `isg verify` has found it). Exit 0 healthy, 9 degraded (repairable), 5 data lost.
/// </summary>
public static class HealthCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("health", "Show stripes and blocks healthy, degraded or lost, per backend, and the last scrub") { json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            var health = HealthSummary.Read(repository.Catalog);
            if (parse.GetValue(json))
            {
                context.Output.Json(HealthJson.Summary(health));
            }
            else
            {
                Print(context.Output, health);
            }

            return Task.FromResult(ExitCodeOf(health.State));
        }));
        return command;
    }

    /// <summary>The exit code of a health state.</summary>
    public static ExitCode ExitCodeOf(HealthState state) => state switch
    {
        HealthState.Healthy => ExitCode.Ok,
        HealthState.Degraded => ExitCode.Partial,
        _ => ExitCode.DataCorrupt,
    };

    private static void Print(ConsoleOutput output, HealthSummary health)
    {
        var lines = new List<FormattableString>
        {
            $"state              {health.State.ToString().ToLowerInvariant()}",
            $"stripes            {health.Stripes:N0}: {health.StripesHealthy:N0} healthy, {health.StripesDegraded:N0} degraded, {health.StripesLost:N0} lost",
            $"blocks             {health.Blocks:N0}: {health.BlocksDegraded:N0} degraded, {health.BlocksLost:N0} lost",
            $"unprotected blocks {health.UnprotectedBlocks:N0} (in no stripe: no parity)",
            $"last scrub         {(health.LastPass is { } last ? $"{last.FinishedAt.ToString("u", CultureInfo.InvariantCulture)}, {last.Duration.TotalSeconds:0.0} s, {ByteSize.Format(last.Bytes)}, {last.Bad} bad, {last.Repaired} repaired, {last.Lost} lost" : "never")}",
        };
        foreach (var line in lines)
        {
            output.Data(FormattableString.Invariant(line));
        }

        foreach (var backend in health.Backends)
        {
            output.Data(FormattableString.Invariant($"backend {backend.Name}: {backend.Shards:N0} shards, {ByteSize.Format(backend.Bytes)}, {backend.BadShards:N0} bad"));
        }

        foreach (var fault in health.Faults)
        {
            output.Data($"fault {fault.Address}: {fault.Kind.ToString().ToLowerInvariant()}: {fault.Message}");
        }
    }
}

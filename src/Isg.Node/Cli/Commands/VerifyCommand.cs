using System.CommandLine;
using Isg.Actors.Healing;
using Isg.Node.Cli.Output;
using Isg.Node.Json;
using Isg.Protocol.Paths;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg verify [PATH] [--json]`: reads and checks every shard now (or only those of the files under PATH), records
/// what it finds for `isg health`, names bad shards and the files they belong to, and repairs nothing.
/// Exit 0 all good, 5 a shard is bad, 9 some shards could not be read (a backend unreachable).
/// </summary>
public static class VerifyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var path = new Argument<string?>("PATH") { Description = "Catalogue path: verify only the files at and below it", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("verify", "Verify every shard now (or those of PATH); reports bad shards and affected files; repairs nothing") { path, json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var prefix = NormalizePath(parse.GetValue(path));
            var asJson = parse.GetValue(json);
            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var report = await ScrubRendering.RunAsync(context.Output, asJson, "verifying", "verified",
                progress => node.ScrubAsync(new ScrubRequest(prefix, Repair: false), progress, cancellationToken)).ConfigureAwait(false);
            if (asJson)
            {
                context.Output.Json(HealthJson.Report(report));
            }
            else
            {
                ScrubRendering.Print(context.Output, report, "verified");
            }

            return report.Bad.Count > 0 ? ExitCode.DataCorrupt : report.Unreachable > 0 ? ExitCode.Partial : ExitCode.Ok;
        }));
        return command;
    }

    /// <summary>Normalises a catalogue path argument; null stays null (everything).</summary>
    public static string? NormalizePath(string? path)
    {
        if (path is null)
        {
            return null;
        }

        return CatalogPath.TryNormalize(path, out var normalized, out var error)
            ? normalized
            : throw new CliException(ExitCode.Usage, $"'{path}' is not a catalogue path: {error.Message}");
    }
}

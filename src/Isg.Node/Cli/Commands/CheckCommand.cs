using System.CommandLine;
using Isg.Node.Cli.Output;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg check [--read-data]`: verifies the catalogue, and with --read-data every stored block.</summary>
public static class CheckCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var readData = new Option<bool>("--read-data") { Description = "Also read, decrypt and hash every block" };
        var command = new Command("check", "Verify the repository's consistency") { readData };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            var node = context.StartNode();
            await using var nodeScope = node.ConfigureAwait(false);
            var report = await TransferRenderer.RunAsync(context.Output, "checking", "checked",
                progress => node.CheckAsync(parse.GetValue(readData), progress, cancellationToken)).ConfigureAwait(false);
            foreach (var problem in report.Problems)
            {
                context.Output.Error(problem);
            }

            context.Output.Line($"checked {report.Files} entries and {report.BlocksChecked} blocks: " +
                (report.Problems.Count == 0 ? "no problems" : $"{report.Problems.Count} problems"));
            return report.Problems.Count == 0 ? ExitCode.Ok : ExitCode.DataCorrupt;
        }));
        return command;
    }
}

using System.CommandLine;
using Isg.Node.Cli.Commands;

namespace Isg.Node.Cli;

/// <summary>The `isg` command tree.</summary>
public static class IsgCommandLine
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var options = new GlobalOptions();
        var root = new RootCommand(
            "Isg: content-addressed, compressed, encrypted storage of files in a repository, served by a node.");
        options.AddTo(root);
        root.Add(InitCommand.Create(options));
        root.Add(AddCommand.Create(options));
        root.Add(GetCommand.Create(options));
        root.Add(LsCommand.Create(options));
        root.Add(RmCommand.Create(options));
        root.Add(GcCommand.Create(options));
        root.Add(SnapshotCommand.Create(options));
        root.Add(StatsCommand.Create(options));
        root.Add(CheckCommand.Create(options));
        root.Add(HealthCommand.Create(options));
        root.Add(VerifyCommand.Create(options));
        root.Add(RepairCommand.Create(options));
        root.Add(ConfigCommand.Create(options));
        root.Add(BackendCommand.Create(options));
        root.Add(NodeCommand.Create(options));
        root.Add(IdCommand.Create(options));
        root.Add(PeerCommand.Create(options));
        root.Add(EncodeCommand.Create(options));
        root.Add(DecodeCommand.Create(options));
        root.Add(BenchCommand.Create(options));
        root.Add(DiscoverCommand.Create(options));
        root.Add(SyncCommand.CreateSync(options));
        root.Add(SyncCommand.CreateStatus(options));
        return root;
    }

    /// <summary>Runs <paramref name="action"/> with a context, mapping failures to exit codes.</summary>
    public static async Task<int> RunAsync(ParseResult parse, GlobalOptions options, Func<CommandContext, Task<ExitCode>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        CommandContext context;
        try
        {
            context = CommandContext.Create(parse, options);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("isg: error: " + e.Message).ConfigureAwait(false);
            return (int)e.ExitCode;
        }

        using (context)
        {
            try
            {
                return (int)await action(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return (int)CliErrors.Report(e, context.Output);
            }
        }
    }
}

using System.CommandLine;
using Isg.Actors.Repositories;
using Isg.Protocol.Keys;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg init [PATH]`: creates a repository (random key wrapped under the passphrase).</summary>
public static class InitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var path = new Argument<string?>("path")
        {
            Description = "Repository folder (default: --repo, $ISG_REPO, else ~/.isg)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var kdfMemory = new Option<int>("--kdf-memory")
        {
            Description = "Argon2id memory in MiB for the passphrase key (default 64)",
            DefaultValueFactory = _ => Argon2Parameters.Default.MemoryKiB / 1024,
        };
        var command = new Command("init", "Create a new repository") { path, kdfMemory };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var root = parse.GetValue(path) is { Length: > 0 } given ? Path.GetFullPath(given) : context.RepositoryPath;
            if (Repository.Exists(root))
            {
                throw new CliException(ExitCode.Usage, $"{root} already holds an Isg repository");
            }

            var kdf = Argon2Parameters.Default with { MemoryKiB = parse.GetValue(kdfMemory) * 1024 };
            using var repository = context.InitializeRepository(root, kdf);
            context.Output.Line($"created repository {repository.Id} at {root}");

            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }
}

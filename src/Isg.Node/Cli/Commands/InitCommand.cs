using System.CommandLine;
using Isg.Actors.Repositories;
using Isg.Protocol.Keys;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg init [PATH] [--join FROM]`: creates a repository (random key wrapped under the passphrase), or with --join a
/// new device of the repository at FROM (its descriptor and wrapped key, a fresh identity and an empty catalogue).
/// </summary>
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
        var join = new Option<string?>("--join")
        {
            Description = "Join the repository at this folder (or a folder with its isg-repository.json and *.key files) as a new device: "
                + "copies its descriptor and wrapped key, not its identity, catalogue or blocks; same passphrase",
        };
        var command = new Command("init", "Create a new repository, or join one as a new device") { path, kdfMemory, join };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var root = parse.GetValue(path) is { Length: > 0 } given ? Path.GetFullPath(given) : context.RepositoryPath;
            if (Repository.Exists(root))
            {
                throw new CliException(ExitCode.Usage, $"{root} already holds an Isg repository");
            }

            if (parse.GetValue(join) is { Length: > 0 } from)
            {
                using var joined = context.JoinRepository(root, Path.GetFullPath(from));
                using var identity = joined.LoadIdentity();
                context.Output.Line($"joined repository {joined.Id} at {root} as device {identity.DeviceId}");
                context.Output.Line("pair it with the other devices (isg peer add ID), or set the same cluster secret (isg peer secret set), then run isg node run");
                return Task.FromResult(ExitCode.Ok);
            }

            var kdf = Argon2Parameters.Default with { MemoryKiB = parse.GetValue(kdfMemory) * 1024 };
            using var repository = context.InitializeRepository(root, kdf);
            context.Output.Line($"created repository {repository.Id} at {root}");

            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }
}

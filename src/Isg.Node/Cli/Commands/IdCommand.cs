using System.CommandLine;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Repositories;
using Isg.Node.Cli.Output;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg id [--json] [--qr]`: this node's device id (the SHA-256 of its certificate), to give to the peers that pair with
/// it. Needs no passphrase; creates the identity of a repository made before identities existed.
/// </summary>
public static class IdCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var qr = new Option<bool>("--qr") { Description = "Also draw the id as a QR code (light modules drawn, for dark terminals)" };
        var command = new Command("id", "Show this node's device id (pair with it: isg peer add ID on the other device)") { json, qr };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            if (!Repository.Exists(context.RepositoryPath))
            {
                throw new CliException(ExitCode.NoRepository,
                    $"no Isg repository at {context.RepositoryPath}: run 'isg init {context.RepositoryPath}' first (or pass --repo / set ISG_REPO)");
            }

            using var identity = NodeIdentity.LoadOrCreate(new RepositoryLayout(context.RepositoryPath).IdentityDirectory);
            var id = identity.DeviceId.ToString();
            if (parse.GetValue(json))
            {
                context.Output.Json(new { deviceId = id, shortId = identity.DeviceId.ShortId, name = identity.DeviceName });
                return Task.FromResult(ExitCode.Ok);
            }

            if (parse.GetValue(qr))
            {
                foreach (var line in TerminalQrCode.Render(id))
                {
                    context.Output.Data(line);
                }
            }

            context.Output.Data(id);
            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }
}

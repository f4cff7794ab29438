using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Repositories;
using Isg.Node.Cli.Output;
using Isg.Node.Hosting;
using Isg.Node.Http;
using Isg.Node.Json;
using Isg.Protocol.Peers;
using Isg.Protocol.Text;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg peer add ID [--address HOST:PORT]... [--name N] | list [--json] | remove ID | secret set [--generate] | secret clear`:
/// the devices this node syncs with. Pairing is one-sided: each device adds the other. A cluster secret set on several
/// nodes of one repository lets them accept each other without pairing.
/// </summary>
public static class PeerCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options) =>
        new("peer", "Manage the devices this node syncs with")
        {
            CreateAdd(options), CreateList(options), CreateRemove(options), CreateSecret(options),
        };

    /// <summary>Parses a device id typed by a user; a <see cref="CliException"/> (Usage) says what is wrong with it.</summary>
    public static DeviceId ParseDeviceId(string? text)
    {
        if (!DeviceId.TryParse(text, out var id, out var error))
        {
            throw new CliException(ExitCode.Usage, $"'{text}' is not a device id: {error.Message} (run 'isg id' on the other device)");
        }

        return id;
    }

    private static Command CreateAdd(GlobalOptions options)
    {
        var id = new Argument<string>("id") { Description = "The other device's id, as 'isg id' prints it there" };
        var address = new Option<string[]>("--address")
        {
            Description = $"Where the device listens: HOST:PORT (port {PeersOptions.DefaultPort} when left out); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var name = new Option<string?>("--name") { Description = "A name for the device (default: the name it gives itself)" };
        var command = new Command("add", "Pair with a device (or update its name and addresses)") { id, address, name };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var device = ParseDeviceId(parse.GetValue(id));
            using var repository = context.OpenRepository();
            var (peer, added) = PeerAdministration.Add(repository, device, parse.GetValue(name), parse.GetValue(address) ?? []);
            context.Output.Line($"{(added ? "paired with" : "updated")} {peer.Device}"
                + (peer.Name.Length > 0 ? $" ({peer.Name})" : string.Empty)
                + (peer.Addresses.Count > 0 ? " at " + string.Join(", ", peer.Addresses) : "; no address: it connects to us, or is found on the network"));
            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }

    private static Command CreateList(GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("list", "List paired devices: state, last seen, traffic, addresses") { json };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            using var repository = context.OpenRepository();
            var records = PeerAdministration.List(repository);
            var layout = repository.Layout;
            var nodeRunning = NodeLock.IsHeld(layout);
            var live = nodeRunning ? await PeerApiClient.TryGetPeersAsync(layout, cancellationToken).ConfigureAwait(false) : null;
            var rows = records.Select(r => Row(r, nodeRunning, live)).ToList();
            if (parse.GetValue(json))
            {
                context.Output.Json(rows.Select(r => r.Json).ToArray());
                return ExitCode.Ok;
            }

            if (rows.Count == 0)
            {
                context.Output.Line("no peers: pair with 'isg peer add ID' (run 'isg id' on the other device)");
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var row in rows)
            {
                var seen = row.State == "connected" ? "now" : row.LastSeen is { } at ? Ago(now - at) : "never";
                context.Output.Data(FormattableString.Invariant(
                    $"{row.Peer.Device}  {Shorten(row.Peer.Name),-16} {row.State,-12} {row.Trust,-7} seen {seen,-9} in {ByteSize.Format(row.BytesIn),9} out {ByteSize.Format(row.BytesOut),9}  {Addresses(row.Peer)}"));
            }

            return ExitCode.Ok;
        }));
        return command;
    }

    // Given addresses, then those a dial succeeded at (dialled after a restart too), marked as learned.
    private static string Addresses(PeerRecord peer) =>
        string.Join(' ', peer.LearnedAddresses.Count == 0 ? peer.Addresses : [.. peer.Addresses, "learned:", .. peer.LearnedAddresses]);

    private static Command CreateRemove(GlobalOptions options)
    {
        var id = new Argument<string>("id") { Description = "The device id" };
        var command = new Command("remove", "Unpair a device: a running node closes its connection within its refresh interval") { id };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var device = ParseDeviceId(parse.GetValue(id));
            using var repository = context.OpenRepository();
            if (!PeerAdministration.Remove(repository, device))
            {
                throw new CliException(ExitCode.NotFound, $"{device} is not a peer of this node (see 'isg peer list')");
            }

            context.Output.Line($"removed peer {device}");
            return Task.FromResult(ExitCode.Ok);
        }));
        return command;
    }

    private static Command CreateSecret(GlobalOptions options)
    {
        var generate = new Option<bool>("--generate") { Description = "Make a random secret and print it once (give it to the other nodes)" };
        var set = new Command("set",
            $"Set the cluster secret (at least {ClusterProof.MinSecretLength} characters) from standard input, or a prompt: nodes of this repository that set the same one accept each other without pairing")
        {
            generate,
        };
        set.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            var generated = parse.GetValue(generate);
            var secret = generated ? Generate() : ReadSecret();
            using var repository = context.OpenRepository();
            PeerAdministration.SetClusterSecret(repository, secret);
            if (generated)
            {
                context.Output.Data(secret);
            }

            context.Output.Line("cluster secret set (stored encrypted); nodes that prove the same secret are accepted without pairing");
            return Task.FromResult(ExitCode.Ok);
        }));
        var clear = new Command("clear", "Remove the cluster secret: peers are accepted by pairing only");
        clear.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            using var repository = context.OpenRepository();
            context.Output.Line(PeerAdministration.ClearClusterSecret(repository) ? "cluster secret removed" : "no cluster secret was set");
            return Task.FromResult(ExitCode.Ok);
        }));
        return new Command("secret", "Set or clear the cluster secret") { set, clear };
    }

    private static (PeerRecord Peer, string State, string Trust, DateTimeOffset? LastSeen, long BytesIn, long BytesOut, object Json) Row(
        PeerRecord record, bool nodeRunning, IReadOnlyDictionary<string, JsonElement>? live)
    {
        if (live is not null && live.TryGetValue(record.Device.ToString(), out var peer))
        {
            var state = peer.GetProperty("state").GetString() ?? "disconnected";
            var lastSeen = peer.TryGetProperty("lastSeen", out var seen) && seen.ValueKind == JsonValueKind.String
                ? DateTimeOffset.Parse(seen.GetString()!, CultureInfo.InvariantCulture)
                : record.LastSeen;
            return (record, state, PeerJson.Trust(record.Trust), lastSeen, peer.GetProperty("bytesIn").GetInt64(), peer.GetProperty("bytesOut").GetInt64(), peer);
        }

        // Without the node's word, the table's: the node records its connections there while it runs.
        var fromTable = nodeRunning && record.ConnectedSince is not null ? "connected" : "disconnected";
        return (record, fromTable, PeerJson.Trust(record.Trust), record.LastSeen, record.BytesIn, record.BytesOut, PeerJson.Record(record, fromTable));
    }

    private static string ReadSecret()
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine()?.Trim() is { Length: > 0 } line
                ? line
                : throw new CliException(ExitCode.Usage, "standard input gave no secret");
        }

        var first = PassphraseReader.Prompt("Cluster secret: ");
        if (PassphraseReader.Prompt("Repeat cluster secret: ") != first)
        {
            throw new CliException(ExitCode.Usage, "the secrets did not match");
        }

        return first;
    }

    // 160 random bits in base32: 32 characters, easy to copy between machines.
    private static string Generate() => Base32.Encode(RandomNumberGenerator.GetBytes(20)).ToUpperInvariant();

    private static string Shorten(string name) => name.Length > 16 ? name[..15] + "…" : name;

    private static string Ago(TimeSpan age) =>
        age.TotalSeconds < 60 ? FormattableString.Invariant($"{Math.Max(0, age.TotalSeconds):0} s ago")
        : age.TotalHours < 1 ? FormattableString.Invariant($"{age.TotalMinutes:0} min ago")
        : age.TotalDays < 1 ? FormattableString.Invariant($"{age.TotalHours:0} h ago")
        : FormattableString.Invariant($"{age.TotalDays:0} d ago");
}

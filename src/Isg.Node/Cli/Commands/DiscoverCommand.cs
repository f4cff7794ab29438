using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Isg.Actors.Discovery;
using Isg.Actors.Runtime;
using Isg.Protocol.Peers;

namespace Isg.Node.Cli.Commands;

/// <summary>
/// `isg discover [--timeout S] [--json] [--interface NAME]...`: browses mDNS for `_isg._tcp.local` and lists the devices
/// found (device id, addresses, port); needs no repository. As they happen it prints `found ID ADDR:PORT,...` and
/// `lost ID` lines (and `announced INSTANCE HOST`), or with --json one JSON array at the end. The hidden
/// `--announce ID [--port P]` also announces a device, for tests and debugging; it runs until Ctrl-C unless a timeout
/// is given, and says goodbye when it stops.
/// </summary>
public static class DiscoverCommand
{
    private static readonly TimeSpan s_askTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to browse before listing what was found (default 3; 0: until Ctrl-C)",
        };
        var json = new Option<bool>("--json") { Description = "Print the devices found as JSON when done" };
        var interfaces = new Option<string[]>("--interface") { Description = "Use only this network interface (repeatable)" };
        var announce = new Option<string?>("--announce") { Description = "Also announce this device id over mDNS (testing)", Hidden = true };
        var port = new Option<int>("--port")
        {
            Description = "The peer port announced with --announce",
            DefaultValueFactory = _ => DiscoveryOptions.DefaultPeerPort,
            Hidden = true,
        };
        var command = new Command("discover", "List Isg devices on the local network (mDNS/DNS-SD _isg._tcp.local); needs no repository")
        {
            timeout, json, interfaces, announce, port,
        };
        command.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, context =>
        {
            DeviceId? device = null;
            if (parse.GetValue(announce) is { } text)
            {
                device = DeviceId.TryParse(text, out var id, out var error)
                    ? id
                    : throw new CliException(ExitCode.Usage, $"--announce: {error.Message}");
            }

            var seconds = parse.GetValue(timeout) ?? (device is null ? 3 : 0);
            if (seconds < 0 || parse.GetValue(port) is < 1 or > 65535)
            {
                throw new CliException(ExitCode.Usage, "--timeout wants seconds >= 0 and --port 1..65535");
            }

            var discovery = new DiscoveryOptions
            {
                LocalDevice = device,
                Announce = device is not null,
                PeerPort = parse.GetValue(port),
                MdnsTransport = new MdnsTransportOptions { Interfaces = parse.GetValue(interfaces) ?? [] },
            };
            return RunAsync(context, discovery, seconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds), parse.GetValue(json),
                cancellationToken);
        }));
        return command;
    }

    private static async Task<ExitCode> RunAsync(CommandContext context, DiscoveryOptions discovery, TimeSpan duration, bool json,
        CancellationToken cancellationToken)
    {
        var events = Channel.CreateUnbounded<IDiscoveryEvent>();
        var system = new ActorSystem("discover", new ActorSystemOptions { LoggerFactory = context.LoggerFactory });
        await using var systemScope = system.ConfigureAwait(false);
        var actor = system.Spawn("discovery", () => new DiscoveryActor(discovery, new ChannelReplyTo<IDiscoveryEvent>(events.Writer)));
        var state = await actor.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), s_askTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (!state.MdnsRunning)
        {
            throw new CliException(ExitCode.Failure, $"mDNS cannot run here: {state.MdnsError ?? "unknown reason"}");
        }

        using var deadline = new CancellationTokenSource(duration);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await foreach (var discoveryEvent in events.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                var line = discoveryEvent switch
                {
                    PeerAddressesFound found => $"found {found.Id} {Join(found.Endpoints)}",
                    PeerAddressesLost lost => $"lost {lost.Id}",
                    ServiceAnnounced announced => $"announced {announced.Instance} {announced.Host}",
                    _ => null,
                };
                if (line is not null && !json)
                {
                    context.Output.Data(line);
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The time is up or Ctrl-C: both are the normal end of a browse.
        }

        state = await actor.AskAsync<IDiscoveryCommand, DiscoveryState>(r => new GetDiscoveryState(r), s_askTimeout, CancellationToken.None)
            .ConfigureAwait(false);
        await system.StopAsync(actor).ConfigureAwait(false);
        var peers = state.Peers.Where(p => p is { Source: DiscoverySource.Mdns, Id: not null }).ToList();
        if (json)
        {
            context.Output.Json(peers.Select(p => new
            {
                id = p.Id!.Value.ToString(),
                instance = p.Instance,
                addresses = p.Endpoints.Select(e => e.Address.ToString()).Distinct().ToList(),
                port = p.Endpoints.Count > 0 ? p.Endpoints[0].Port : 0,
                endpoints = p.Endpoints.Select(e => e.ToString()).ToList(),
            }).ToList());
        }
        else if (peers.Count == 0)
        {
            context.Output.Line("no Isg devices found");
        }
        else
        {
            context.Output.Line(string.Create(CultureInfo.InvariantCulture, $"{peers.Count} device(s) found"));
        }

        return ExitCode.Ok;
    }

    private static string Join(IReadOnlyList<IPEndPoint> endpoints) => string.Join(',', endpoints.Select(e => e.ToString()));
}

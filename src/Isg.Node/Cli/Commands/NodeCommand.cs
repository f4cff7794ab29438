using System.CommandLine;
using System.Net;
using Isg.Actors.Discovery;
using Isg.Actors.Hosting;
using Isg.Actors.Peers;
using Isg.Actors.Swarm;
using Isg.Node.Hosting;

namespace Isg.Node.Cli.Commands;

/// <summary>`isg node run`: hosts the node (actor tree, HTTP API and dashboard) until stopped.</summary>
public static class NodeCommand
{
    /// <summary>The default HTTP endpoint: loopback only.</summary>
    public const string DefaultListen = "127.0.0.1:7480";

    /// <summary>Builds the command.</summary>
    public static Command Create(GlobalOptions options)
    {
        var listen = new Option<string>("--listen")
        {
            Description = $"HTTP address for the API and dashboard (default {DefaultListen})",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISG_LISTEN") ?? DefaultListen,
        };
        var peerListen = new Option<string>("--peer-listen")
        {
            Description = $"TCP address peers connect to (default 0.0.0.0:{PeersOptions.DefaultPort}; port 0 picks a free one; 'none' only dials)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISG_PEER_LISTEN") ?? $"0.0.0.0:{PeersOptions.DefaultPort}",
        };
        var noMdns = new Option<bool>("--no-mdns")
        {
            Description = "Neither announce nor browse _isg._tcp.local on the local network (also ISG_NO_MDNS=1)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISG_NO_MDNS") == "1",
        };
        var peer = new Option<string[]>("--peer")
        {
            Description = "HOST:PORT of a peer to dial, repeatable (also ISG_PEERS, comma-separated); its device id is learned in the "
                + "handshake and it is kept only when paired or proving the cluster secret",
            DefaultValueFactory = _ => Split(Environment.GetEnvironmentVariable("ISG_PEERS")),
        };
        var peerDns = new Option<string?>("--peer-dns")
        {
            Description = "DNS name whose SRV (_isg._tcp.NAME) or A/AAAA records list peers, e.g. a Kubernetes headless Service "
                + "(also ISG_PEER_DNS); resolved every 30 s",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISG_PEER_DNS") is { Length: > 0 } name ? name : null,
        };
        var fetch = new Option<string>("--fetch")
        {
            Description = "all: fetch every block the catalogue needs from peers; on-demand: hold the catalogue only and fetch blocks when read",
            DefaultValueFactory = _ => "all",
        };
        fetch.AcceptOnlyFromAmong("all", "on-demand");
        var run = new Command("run", "Run the node: creates the repository on first use, serves the HTTP API and dashboard, syncs with peers")
        {
            listen, peerListen, noMdns, peer, peerDns, fetch,
        };
        run.SetAction((parse, cancellationToken) => IsgCommandLine.RunAsync(parse, options, async context =>
        {
            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint) || endpoint.Port == 0)
            {
                throw new CliException(ExitCode.Usage, $"--listen wants ADDRESS:PORT, got '{parse.GetValue(listen)}'");
            }

            var network = NetworkOptions(parse.GetValue(peerListen)!, parse.GetValue(noMdns), parse.GetValue(fetch) == "all") with
            {
                StaticPeers = StaticPeers(parse.GetValue(peer) ?? []),
                DnsName = parse.GetValue(peerDns),
            };
            await NodeHost.RunAsync(context, endpoint, network, cancellationToken).ConfigureAwait(false);
            return ExitCode.Ok;
        }));
        return new Command("node", "Run and manage the node") { run };
    }

    /// <summary>Parses --peer values (HOST:PORT, [IPV6]:PORT, or a host alone for the default port). Throws a usage error on a bad one.</summary>
    public static IReadOnlyList<StaticPeer> StaticPeers(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var peers = new List<StaticPeer>();
        foreach (var address in addresses)
        {
            if (!StaticPeer.TryParse(address, null, PeersOptions.DefaultPort, out var peer, out var error))
            {
                throw new CliException(ExitCode.Usage, $"--peer wants HOST:PORT: {error.Message}");
            }

            peers.Add(peer!);
        }

        return peers;
    }

    private static string[] Split(string? list) =>
        list is null ? [] : list.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Peers are dialled at the addresses `isg peer add --address` recorded, those mDNS finds for paired devices, and the
    // --peer and --peer-dns addresses, whose device is learned in the handshake.
    private static NodeNetworkOptions NetworkOptions(string peerListen, bool noMdns, bool fetchAll)
    {
        IPEndPoint? listenAt = null;
        if (peerListen != "none" && !IPEndPoint.TryParse(peerListen, out listenAt))
        {
            throw new CliException(ExitCode.Usage, $"--peer-listen wants ADDRESS:PORT or 'none', got '{peerListen}'");
        }

        return new NodeNetworkOptions
        {
            Peers = new PeersOptions { ListenEndPoint = listenAt },
            Mdns = !noMdns,
            Swarm = new SwarmOptions { FetchAll = fetchAll },
        };
    }
}

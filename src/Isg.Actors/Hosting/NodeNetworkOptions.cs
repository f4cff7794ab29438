using Isg.Actors.Discovery;
using Isg.Actors.Peers;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;

namespace Isg.Actors.Hosting;

/// <summary>
/// The node's peer-to-peer side (issue: peers): where it listens, how it finds peers, how it syncs and fetches. A
/// node without these options (a CLI process) has no network actors.
/// </summary>
public sealed record NodeNetworkOptions
{
    /// <summary>Listening, dialling and connection limits.</summary>
    public PeersOptions Peers { get; init; } = new();

    /// <summary>Announce and browse <c>_isg._tcp.local</c> over mDNS.</summary>
    public bool Mdns { get; init; } = true;

    /// <summary>Addresses of peers to dial whatever discovery finds (HOST:PORT).</summary>
    public IReadOnlyList<StaticPeer> StaticPeers { get; init; } = [];

    /// <summary>A DNS name whose SRV/A records list peers (a Kubernetes headless Service), or null.</summary>
    public string? DnsName { get; init; }

    /// <summary>Catalogue sync pacing.</summary>
    public SyncOptions Sync { get; init; } = new();

    /// <summary>Block fetching: every wanted block in the background, or only on demand.</summary>
    public SwarmOptions Swarm { get; init; } = new();
}

using System.Net;
using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Discovery;

/// <summary>
/// What the discovery actor does: mDNS (announce this device, browse for others), static peers, and a DNS name to
/// resolve periodically (a Kubernetes headless Service). Tests replace the transport, resolvers and timings.
/// </summary>
public sealed record DiscoveryOptions
{
    /// <summary>The default peer port.</summary>
    public const int DefaultPeerPort = 7420;

    /// <summary>This device: announced over mDNS (TXT <c>id=</c>) and never reported back. Null: nothing is announced.</summary>
    public DeviceId? LocalDevice { get; init; }

    /// <summary>The TCP port peers dial: announced in the SRV record, the default port of static peers and DNS names.</summary>
    public int PeerPort { get; init; } = DefaultPeerPort;

    /// <summary>Run mDNS at all (port 5353 on the local link).</summary>
    public bool EnableMdns { get; init; } = true;

    /// <summary>Announce <see cref="LocalDevice"/> (needs it set).</summary>
    public bool Announce { get; init; } = true;

    /// <summary>Browse for other devices.</summary>
    public bool Browse { get; init; } = true;

    /// <summary>The instance label; default: the device id's first group (e.g. <c>ABCDEFG</c>).</summary>
    public string? InstanceLabel { get; init; }

    /// <summary>The host label (the SRV target is LABEL.local); default: <c>isg-</c> and the first group in lower case.</summary>
    public string? HostLabel { get; init; }

    /// <summary>mDNS timings and limits.</summary>
    public MdnsOptions Mdns { get; init; } = new();

    /// <summary>Interfaces and port of the UDP transport.</summary>
    public MdnsTransportOptions MdnsTransport { get; init; } = new();

    /// <summary>Opens the mDNS transport; default <see cref="UdpMdnsTransport.Open"/>. A throw turns mDNS off (logged), not the actor.</summary>
    public Func<MdnsTransportOptions, ILogger, IMdnsTransport>? TransportFactory { get; init; }

    /// <summary>Addresses configured for peers (with their id when known).</summary>
    public IReadOnlyList<StaticPeer> StaticPeers { get; init; } = [];

    /// <summary>How often static host names are resolved again.</summary>
    public TimeSpan StaticResolveInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Resolves a static peer's host name; default <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> (follows /etc/hosts).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? HostResolver { get; init; }

    /// <summary>A DNS name to resolve periodically (SRV <c>_isg._tcp.NAME</c> and A/AAAA of NAME); null: none.</summary>
    public string? DnsName { get; init; }

    /// <summary>How often <see cref="DnsName"/> is resolved.</summary>
    public TimeSpan DnsResolveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Name servers and search list for <see cref="DnsName"/>; default: /etc/resolv.conf.</summary>
    public ResolvConf? Resolver { get; init; }

    /// <summary>True for this node's own endpoint (left out of DNS results); default: a local interface address with <see cref="PeerPort"/>.</summary>
    public Func<IPEndPoint, bool>? IsOwnEndpoint { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is unusable.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerPort, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PeerPort, ushort.MaxValue);
        ArgumentNullException.ThrowIfNull(Mdns);
        ArgumentNullException.ThrowIfNull(MdnsTransport);
        ArgumentNullException.ThrowIfNull(StaticPeers);
        Mdns.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StaticResolveInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DnsResolveInterval, TimeSpan.Zero);
        if (EnableMdns && Announce && LocalDevice is not null && PeerPort == 0)
        {
            throw new ArgumentException("announcing needs the peer port (PeerPort is 0)", nameof(PeerPort));
        }
    }
}

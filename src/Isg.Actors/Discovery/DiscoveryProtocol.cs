using System.Net;
using Isg.Actors.Runtime;
using Isg.Protocol.Peers;

namespace Isg.Actors.Discovery;

/// <summary>Messages of the discovery actor (/node/discovery).</summary>
public interface IDiscoveryCommand;

/// <summary>What the discovery actor tells its subscriber.</summary>
public interface IDiscoveryEvent;

/// <summary>
/// A device's addresses: found by mDNS (the TXT record's <c>id=</c>), or from a static peer configured with its id.
/// Sent when first found and again whenever the list changes (the list replaces the previous one for that source).
/// The node's own device is never reported.
/// </summary>
public sealed record PeerAddressesFound(DeviceId Id, IReadOnlyList<IPEndPoint> Endpoints, DiscoverySource Source) : IDiscoveryEvent;

/// <summary>A device found by mDNS said goodbye or its records expired: its mDNS addresses are gone (static and DNS ones are unaffected).</summary>
public sealed record PeerAddressesLost(DeviceId Id) : IDiscoveryEvent;

/// <summary>
/// Addresses of devices not yet known by id (DNS names, static addresses configured without an id): whoever dials
/// them learns the id in the TLS handshake. Sent when first resolved and whenever the list changes; the list
/// replaces the previous one for that source. Endpoints of this node itself are left out.
/// </summary>
public sealed record PeerEndpointsFound(IReadOnlyList<IPEndPoint> Endpoints, DiscoverySource Source) : IDiscoveryEvent;

/// <summary>This device's mDNS names after probing (again after a rename on conflict): it is being announced.</summary>
public sealed record ServiceAnnounced(string Instance, string Host) : IDiscoveryEvent;

/// <summary>Replaces the static peers and resolves them now (fire and forget).</summary>
public sealed record SetStaticPeers(IReadOnlyList<StaticPeer> Peers) : IDiscoveryCommand;

/// <summary>Resolves static peers and the DNS name now instead of at their next interval (fire and forget).</summary>
public sealed record ResolveNow : IDiscoveryCommand;

/// <summary>Replies <see cref="DiscoveryState"/>: what is known now.</summary>
public sealed record GetDiscoveryState(IReplyTo<DiscoveryState> ReplyTo) : IDiscoveryCommand;

/// <summary>
/// A snapshot: mDNS devices with their endpoints, static and DNS endpoints, the instance name announced (null when not
/// announcing or not yet probed), and why mDNS is off (null when it runs or was not asked for).
/// </summary>
public sealed record DiscoveryState(
    IReadOnlyList<DiscoveredPeer> Peers,
    IReadOnlyList<IPEndPoint> DnsEndpoints,
    string? AnnouncedInstance,
    bool MdnsRunning,
    string? MdnsError);

/// <summary>One device (id known) or static address (id unknown) and how it was found; <see cref="Instance"/> is its mDNS instance name.</summary>
public sealed record DiscoveredPeer(DeviceId? Id, IReadOnlyList<IPEndPoint> Endpoints, DiscoverySource Source, string? Instance);

/// <summary>Self: a datagram from the transport.</summary>
internal sealed record MdnsDatagramReceived(MdnsDatagram Datagram) : IDiscoveryCommand;

/// <summary>Self: the mDNS engine has work due.</summary>
internal sealed record MdnsTick : IDiscoveryCommand;

/// <summary>Self: time to resolve the static peers.</summary>
internal sealed record ResolveStaticPeers : IDiscoveryCommand;

/// <summary>Self: the static peers resolved (each peer's endpoints; empty when it did not resolve).</summary>
internal sealed record StaticPeersResolved(IReadOnlyList<StaticPeer> Peers, IReadOnlyList<IReadOnlyList<IPEndPoint>> Endpoints) : IDiscoveryCommand;

/// <summary>Self: time to resolve the DNS name.</summary>
internal sealed record ResolveDnsName : IDiscoveryCommand;

/// <summary>Self: the DNS name resolved (or why not).</summary>
internal sealed record DnsNameResolved(IReadOnlyList<IPEndPoint> Endpoints, string? Error) : IDiscoveryCommand;

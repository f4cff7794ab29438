using System.Net;
using Isg.Actors.Catalog;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>Messages of the peers actor (/node/peers).</summary>
public interface IPeersCommand;

/// <summary>
/// Subscribes <see cref="Subscriber"/> to <see cref="PeerEvent"/>s: at once a <see cref="PeerConnected"/> for each peer
/// connected now, then every connect and disconnect as they happen, in order per device. Subscribing twice with the
/// same address delivers twice; keep the address to unsubscribe.
/// </summary>
public sealed record SubscribePeerEvents(IReplyTo<PeerEvent> Subscriber) : IPeersCommand;

/// <summary>Stops the events to <see cref="Subscriber"/> (the same instance that subscribed). Idempotent.</summary>
public sealed record UnsubscribePeerEvents(IReplyTo<PeerEvent> Subscriber) : IPeersCommand;

/// <summary>Replies the session of <see cref="Device"/> when it is connected, else null.</summary>
public sealed record GetPeerSession(DeviceId Device, IReplyTo<IPeerSession?> ReplyTo) : IPeersCommand;

/// <summary>Replies the sessions of every connected peer.</summary>
public sealed record GetConnectedPeers(IReplyTo<IReadOnlyList<IPeerSession>> ReplyTo) : IPeersCommand;

/// <summary>Replies <see cref="PeersStatus"/>: the listening endpoint and every known peer with its state and traffic.</summary>
public sealed record GetPeersStatus(IReplyTo<PeersStatus> ReplyTo) : IPeersCommand;

/// <summary>
/// Addresses where <see cref="Device"/> was found (discovery: mDNS, DNS, static lists). They replace the addresses
/// found for it before (those given with `peer add --address` stay), are kept in memory, and are dialled when the
/// device is trusted (paired, or any device while a cluster secret is set) and not connected; the one a dial succeeds
/// at is remembered in the peers table (learned addresses, dialled after a restart too). Safe to resend.
/// </summary>
public sealed record PeerAddressesFound(DeviceId Device, IReadOnlyList<IPEndPoint> Addresses) : IPeersCommand;

/// <summary>
/// Addresses of devices not known by id, from <see cref="Source"/> (a static HOST:PORT without an id, the records of a
/// DNS name such as a Kubernetes headless Service); they replace that source's earlier list. Each is dialled on its own
/// (with its own reconnect backoff) while a cluster secret is set or some device is paired, and the handshake learns who
/// is there: a trusted device is kept (the address shown for it and remembered in the peers table), any other is refused
/// and dialled again later after a longer delay, and an address that turns out to be this node is never dialled again.
/// Safe to resend.
/// </summary>
public sealed record PeerEndpointsFound(string Source, IReadOnlyList<IPEndPoint> Endpoints) : IPeersCommand;

/// <summary>
/// Reads the peers table and the cluster secret again now (they are also re-read every PeersOptions.RefreshInterval):
/// new peers and addresses are dialled, connections to devices no longer trusted are closed. Replies
/// <see cref="PeersReloaded"/> when given an address.
/// </summary>
public sealed record ReloadPeers(IReplyTo<PeersReloaded>? ReplyTo = null) : IPeersCommand;

/// <summary>The end of a <see cref="ReloadPeers"/>: how many peers the table holds, and whether a cluster secret is set.</summary>
public sealed record PeersReloaded(int Peers, bool ClusterSecret);

/// <summary>Something that happened to a peer connection; see <see cref="SubscribePeerEvents"/>.</summary>
public abstract record PeerEvent(DeviceId Device);

/// <summary>
/// <see cref="PeerEvent.Device"/> is connected through <see cref="Session"/> (handshake done, frames flowing). A
/// device has at most one session at a time: a new one for the same device comes after the old one's
/// <see cref="PeerDisconnected"/>.
/// </summary>
public sealed record PeerConnected(DeviceId Device, IPeerSession Session) : PeerEvent(Device);

/// <summary><see cref="Session"/> of <see cref="PeerEvent.Device"/> has ended (or was replaced by a duplicate), as <see cref="Close"/> says.</summary>
public sealed record PeerDisconnected(DeviceId Device, IPeerSession Session, PeerCloseInfo Close) : PeerEvent(Device);

/// <summary>This node's device id, where it listens for peers (null when it does not), and what it knows of each peer.</summary>
public sealed record PeersStatus(DeviceId LocalDevice, IPEndPoint? ListenEndPoint, IReadOnlyList<PeerStatus> Peers)
{
    /// <summary>Every address known without a device id (see <see cref="PeerEndpointsFound"/>) and what dialling it found.</summary>
    public IReadOnlyList<PeerEndpointStatus> Endpoints { get; init; } = [];
}

/// <summary>
/// An address known without a device id: the device that answered there last (null until one did), whether it is this
/// node itself (never dialled again), whether a dial runs or its device is connected, failed dials in a row, and the last error.
/// </summary>
public sealed record PeerEndpointStatus(IPEndPoint Endpoint, DeviceId? Device, bool IsSelf, bool Active, int Failures, string? LastError);

/// <summary>
/// One peer as the running node sees it: the table's record joined with the live connection. Traffic is the table's
/// totals plus what the current connection exchanged since they were last written; LastError is the last dial failure.
/// </summary>
public sealed record PeerStatus(
    DeviceId Device,
    string Name,
    PeerState State,
    PeerTrust? Trust,
    IReadOnlyList<string> Addresses,
    EndPoint? RemoteEndPoint,
    DateTimeOffset? ConnectedSince,
    DateTimeOffset? LastSeen,
    long BytesIn,
    long BytesOut,
    string? LastError);

/// <summary>Self: a connection accepted by the listener completed its handshake.</summary>
internal sealed record InboundConnection(PeerConnection Connection) : IPeersCommand;

/// <summary>Self: a dial of <see cref="Device"/> ended: connected at <see cref="Address"/>, or failed with <see cref="Error"/>.</summary>
internal sealed record DialEnded(DeviceId Device, PeerConnection? Connection, EndPoint? Address, string? Error) : IPeersCommand;

/// <summary>Self: a dial of an address known without an id ended: connected, or refused (by whom, when the handshake showed it).</summary>
internal sealed record EndpointDialEnded(IPEndPoint Endpoint, PeerConnection? Connection, DeviceId? Remote, string? Error) : IPeersCommand;

/// <summary>Self: time to dial <see cref="Endpoint"/> again.</summary>
internal sealed record EndpointDialDue(IPEndPoint Endpoint) : IPeersCommand;

/// <summary>Self: time to dial <see cref="Device"/> again.</summary>
internal sealed record DialDue(DeviceId Device) : IPeersCommand;

/// <summary>Self: <see cref="Connection"/> has ended.</summary>
internal sealed record ConnectionEnded(PeerConnection Connection, PeerCloseInfo Close) : IPeersCommand;

/// <summary>Self: time to write traffic figures and re-read the table.</summary>
internal sealed record PeersTick : IPeersCommand;

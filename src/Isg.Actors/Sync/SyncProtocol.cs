using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using VersionVector = Isg.Protocol.Crdt.VersionVector;

namespace Isg.Actors.Sync;

/// <summary>Messages of the sync actor (/node/sync).</summary>
public interface ISyncCommand;

/// <summary>A peer of this repository is connected and authenticated: sync with it.</summary>
public sealed record PeerJoined(IPeerLink Link) : ISyncCommand;

/// <summary>A peer's connection closed.</summary>
public sealed record PeerLeft(DeviceId Peer) : ISyncCommand;

/// <summary>A peer's <see cref="SyncSummary"/> arrived (one-way frame).</summary>
public sealed record SummaryReceived(DeviceId Peer, SyncSummary Summary) : ISyncCommand;

/// <summary>Pull from every connected peer now and check for drift; replies at once with the status before it starts.</summary>
public sealed record SyncNow(IReplyTo<SyncStatus> ReplyTo) : ISyncCommand;

/// <summary>
/// This process wrote the catalogue (the catalogue actor tells after each command): check the log for growth to
/// announce after <see cref="SyncOptions.WriteCheckDelay"/>, once for all writes meanwhile.
/// </summary>
public sealed record CatalogWritten : ISyncCommand;

/// <summary>Replies <see cref="SyncStatus"/>.</summary>
public sealed record GetSyncStatus(IReplyTo<SyncStatus> ReplyTo) : ISyncCommand;

/// <summary>
/// Where this node stands: its log vector and catalogue root, and per connected peer what it last said it holds.
/// <see cref="Converged"/> when every connected peer holds exactly what this node holds, with the same root.
/// </summary>
public sealed record SyncStatus(VersionVector Vector, Hash256 Root, long Files, IReadOnlyList<PeerSyncState> Peers)
{
    /// <summary>True when every connected peer's last summary matches this node's log and root.</summary>
    public bool Converged => Peers.All(p => p.InStep);
}

/// <summary>
/// One peer as the sync actor sees it. <see cref="Behind"/> counts operations it has that this node lacks;
/// <see cref="Ahead"/> those this node has that it lacks; <see cref="InStep"/> when both are 0 and the roots agree.
/// </summary>
public sealed record PeerSyncState(DeviceId Peer, long Behind, long Ahead, bool RootsAgree, bool Pulling, DateTimeOffset? LastPull, string? LastError)
{
    /// <summary>Nothing to exchange, and the catalogues show the same entries.</summary>
    public bool InStep => Behind == 0 && Ahead == 0 && RootsAgree && !Pulling;
}

using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;

namespace Isg.Actors.Swarm;

/// <summary>Messages of the swarm actor (/node/swarm).</summary>
public interface ISwarmCommand;

/// <summary>A peer of this repository is connected: blocks may be asked of it.</summary>
public sealed record SwarmPeerUp(IPeerLink Link) : ISwarmCommand;

/// <summary>A peer's connection closed.</summary>
public sealed record SwarmPeerDown(DeviceId Peer) : ISwarmCommand;

/// <summary>The catalogue took entries from a peer: there may be new blocks to fetch (a full replica looks at once).</summary>
public sealed record CatalogGrew : ISwarmCommand;

/// <summary>
/// Fetches these blocks from peers now, ahead of background work (a <c>get</c> on a node that holds the catalogue
/// only). Replies <see cref="BlocksFetched"/> once each has arrived or every connected peer was asked in vain.
/// </summary>
public sealed record FetchBlocks(IReadOnlyList<BlockId> Blocks, IReplyTo<BlocksFetched> ReplyTo) : ISwarmCommand;

/// <summary>The outcome of <see cref="FetchBlocks"/>: the blocks that could not be had from any peer.</summary>
public sealed record BlocksFetched(IReadOnlyList<BlockId> Missing);

/// <summary>Replies <see cref="SwarmStatus"/>.</summary>
public sealed record GetSwarmStatus(IReplyTo<SwarmStatus> ReplyTo) : ISwarmCommand;

/// <summary>
/// Blocks wanted (known to be needed and held nowhere here), in flight, and per peer what it did. <see cref="FetchAll"/>
/// false: a catalogue-only node, whose wanted blocks stay wanted until something reads them.
/// </summary>
public sealed record SwarmStatus(long Wanted, int InFlight, IReadOnlyList<SwarmPeerState> Peers)
{
    /// <summary>True when the node fetches every wanted block in the background (a full replica).</summary>
    public bool FetchAll { get; init; } = true;
}

/// <summary>One peer as the swarm sees it: requests in flight, blocks received from it, bad blocks it sent.</summary>
public sealed record SwarmPeerState(DeviceId Peer, int InFlight, long Received, long BytesReceived, int BadBlocks);

/// <summary>
/// An add on this node stored a block on the primary backend (servable now, before the add commits): peers are told
/// in batches, so full replicas can fetch it while the add runs.
/// </summary>
public sealed record BlockStoredHere(BlockAnnouncement Block) : ISwarmCommand;

/// <summary>A peer announced blocks it holds (a full replica fetches those it lacks, from that peer first).</summary>
public sealed record PeerHasBlocks(DeviceId Peer, IReadOnlyList<BlockAnnouncement> Blocks) : ISwarmCommand;

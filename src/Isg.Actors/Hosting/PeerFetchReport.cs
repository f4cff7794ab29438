using Isg.Protocol.Hashing;

namespace Isg.Actors.Hosting;

/// <summary>What <see cref="StorageNode.FetchFromPeersAsync"/> did: blocks asked of peers, and those no connected peer had.</summary>
public sealed record PeerFetchReport(long Requested, IReadOnlyList<BlockId> Missing);

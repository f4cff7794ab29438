using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Hosting;

/// <summary>The node's network side: its actors, sync status and triggers.</summary>
public sealed partial class StorageNode
{
    /// <summary>The network actors, or null for a node started without <see cref="StorageNodeOptions.Network"/>.</summary>
    public Task<NodeNetwork?> GetNetworkAsync(CancellationToken cancellationToken) =>
        _root.AskAsync<INodeCommand, NodeNetwork?>(r => new GetNetwork(r), s_askTimeout, cancellationToken);

    /// <summary>Where catalogue sync stands with each connected peer; null without a network.</summary>
    public async Task<SyncStatus?> GetSyncStatusAsync(bool syncNow, CancellationToken cancellationToken)
    {
        if (await GetNetworkAsync(cancellationToken).ConfigureAwait(false) is not { } network)
        {
            return null;
        }

        return await network.Sync.AskAsync<ISyncCommand, SyncStatus>(r => syncNow ? new SyncNow(r) : new GetSyncStatus(r), s_askTimeout, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Blocks wanted and in flight, per peer; null without a network.</summary>
    public async Task<SwarmStatus?> GetSwarmStatusAsync(CancellationToken cancellationToken) =>
        await GetNetworkAsync(cancellationToken).ConfigureAwait(false) is { } network
            ? await network.Swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_askTimeout, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Fetches from peers every block that the entries at and below <paramref name="prefix"/> ("" for all) need and
    /// this node does not hold, a page at a time (a catalogue-only node before a restore). Null without a network.
    /// </summary>
    public async Task<PeerFetchReport?> FetchFromPeersAsync(string prefix, CancellationToken cancellationToken)
    {
        if (await GetNetworkAsync(cancellationToken).ConfigureAwait(false) is not { } network)
        {
            return null;
        }

        long requested = 0;
        var missing = new List<BlockId>();
        BlockId? after = null;
        while (true)
        {
            IReadOnlyList<BlockId> page;
            using (var reader = Repository.Catalog.CreateReader())
            {
                page = reader.ReadWantedBlocksUnder(prefix, after, PeerFetchPage);
            }

            if (page.Count == 0)
            {
                return new PeerFetchReport(requested, missing);
            }

            requested += page.Count;
            var fetched = await network.Swarm.AskAsync<ISwarmCommand, BlocksFetched>(r => new FetchBlocks(page, r), Timeout.InfiniteTimeSpan, cancellationToken)
                .ConfigureAwait(false);
            missing.AddRange(fetched.Missing);
            after = page[^1];
        }
    }

    // Blocks asked of the swarm at once: enough to keep every peer busy, few enough to bound the ids held.
    private const int PeerFetchPage = 1024;
}

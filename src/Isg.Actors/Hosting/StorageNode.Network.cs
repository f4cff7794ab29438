using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;

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

        return syncNow
            ? await network.Sync.AskAsync<ISyncCommand, SyncStatus>(r => new SyncNow(r), s_askTimeout, cancellationToken).ConfigureAwait(false)
            : await network.Sync.AskAsync<ISyncCommand, SyncStatus>(r => new GetSyncStatus(r), s_askTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Blocks wanted and in flight, per peer; null without a network.</summary>
    public async Task<SwarmStatus?> GetSwarmStatusAsync(CancellationToken cancellationToken) =>
        await GetNetworkAsync(cancellationToken).ConfigureAwait(false) is { } network
            ? await network.Swarm.AskAsync<ISwarmCommand, SwarmStatus>(r => new GetSwarmStatus(r), s_askTimeout, cancellationToken).ConfigureAwait(false)
            : null;
}

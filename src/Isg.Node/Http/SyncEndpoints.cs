using Isg.Actors.Hosting;
using Isg.Actors.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Isg.Node.Http;

/// <summary>
/// `GET /api/sync`: where catalogue sync and block fetching stand (this node's log and root, each connected peer,
/// blocks wanted and in flight); `POST /api/sync` (token): pull from every peer now, then the same answer.
/// </summary>
public static class SyncEndpoints
{
    /// <summary>Maps the routes onto <paramref name="app"/>.</summary>
    public static void Map(WebApplication app, StorageNode node)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        app.MapGet("/api/sync", (CancellationToken cancellationToken) => AnswerAsync(node, syncNow: false, cancellationToken));
        app.MapPost("/api/sync", (CancellationToken cancellationToken) => AnswerAsync(node, syncNow: true, cancellationToken));
    }

    /// <summary>The answer of a network endpoint on a node started without peers.</summary>
    internal static IResult NoNetwork() => Results.Problem("this node runs without peers", statusCode: StatusCodes.Status404NotFound, title: "NoNetwork");

    private static async Task<IResult> AnswerAsync(StorageNode node, bool syncNow, CancellationToken cancellationToken)
    {
        var status = await node.GetSyncStatusAsync(syncNow, cancellationToken).ConfigureAwait(false);
        var swarm = await node.GetSwarmStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status is null || swarm is null)
        {
            return NoNetwork();
        }

        return Results.Json(new
        {
            // A catalogue-only node is in step once its catalogue is: its blocks come when something reads them.
            converged = status.Converged && (swarm.Wanted == 0 || !swarm.FetchAll) && swarm.InFlight == 0,
            catalogConverged = status.Converged,
            root = status.Root.ToHex(),
            files = status.Files,
            operations = status.Vector.Entries.Sum(e => (long)e.Value),
            blocksWanted = swarm.Wanted,
            blocksInFlight = swarm.InFlight,
            fetch = swarm.FetchAll ? "all" : "on-demand",
            peers = status.Peers.Select(p => Peer(p, swarm.Peers.FirstOrDefault(s => s.Peer == p.Peer))),
        });
    }

    private static object Peer(PeerSyncState sync, Isg.Actors.Swarm.SwarmPeerState? swarm) => new
    {
        deviceId = sync.Peer.ToString(),
        behind = sync.Behind,
        ahead = sync.Ahead,
        rootsAgree = sync.RootsAgree,
        inStep = sync.InStep,
        pulling = sync.Pulling,
        lastPull = sync.LastPull,
        lastError = sync.LastError,
        blocksInFlight = swarm?.InFlight ?? 0,
        blocksReceived = swarm?.Received ?? 0,
        bytesReceived = swarm?.BytesReceived ?? 0,
        badBlocks = swarm?.BadBlocks ?? 0,
    };
}

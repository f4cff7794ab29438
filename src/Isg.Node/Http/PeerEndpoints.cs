using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Node.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Isg.Node.Http;

/// <summary>
/// `GET /api/peers`: this node's device id, where it listens for peers, and every peer with its live state and
/// traffic (see <see cref="PeerJson.Peers"/>). Map it after <see cref="ApiEndpoints.Map"/>, whose token check covers it.
/// </summary>
public static class PeerEndpoints
{
    private static readonly TimeSpan s_askTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Maps the endpoint onto <paramref name="app"/>, answered by <paramref name="peers"/> and the peers table of <paramref name="catalog"/>.</summary>
    public static void Map(WebApplication app, IActorRef<IPeersCommand> peers, CatalogDatabase catalog)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(catalog);
        app.MapGet("/api/peers", async (CancellationToken cancellationToken) =>
        {
            var status = await peers.AskAsync<IPeersCommand, PeersStatus>(r => new GetPeersStatus(r), s_askTimeout, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<PeerRecord> records;
            using (var reader = catalog.CreateReader())
            {
                records = reader.ListPeers();
            }

            return Results.Json(PeerJson.Peers(status, records));
        });
    }
}

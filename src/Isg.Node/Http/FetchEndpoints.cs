using Isg.Actors.Hosting;
using Isg.Protocol.Paths;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Isg.Node.Http;

/// <summary>
/// `POST /api/fetch?path=P` (token): the running node fetches from its peers every block the entries at and below P
/// ("" or absent: all) need and it does not hold, and answers once they are here: how many were asked for and which no
/// connected peer had. `isg get` calls it first on a catalogue-only device (peer-served retrieval).
/// </summary>
public static class FetchEndpoints
{
    /// <summary>Maps the route onto <paramref name="app"/>.</summary>
    public static void Map(WebApplication app, StorageNode node)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        app.MapPost("/api/fetch", async (string? path, CancellationToken cancellationToken) =>
        {
            if (!CatalogPath.TryNormalize(path ?? string.Empty, out var prefix, out var error))
            {
                return Results.Problem(error.Message, statusCode: StatusCodes.Status400BadRequest, title: error.Kind.ToString());
            }

            var report = await node.FetchFromPeersAsync(prefix, cancellationToken).ConfigureAwait(false);
            return report is null
                ? SyncEndpoints.NoNetwork()
                : Results.Json(new { path = prefix, requested = report.Requested, missing = report.Missing.Select(b => b.ToString()) });
        });
    }
}

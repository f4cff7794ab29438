using System.Text.Json;
using Isg.Actors.Repositories;

namespace Isg.Node.Http;

/// <summary>
/// Asks the node running on a repository for its view of the peers (`GET /api/peers`), for `isg peer list`. Every
/// failure (no node, an older node without the endpoint, a timeout) is a null answer: the caller falls back to the table.
/// </summary>
public static class PeerApiClient
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    /// <summary>The peers by device id as the running node reports them; null when no node answers.</summary>
    public static Task<IReadOnlyDictionary<string, JsonElement>?> TryGetPeersAsync(RepositoryLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return TryGetPeersAsync(() => NodeApiClient.TryCreate(layout, s_timeout), cancellationToken);
    }

    /// <summary>The peers by device id from the API at <paramref name="baseUrl"/>; null when it does not answer with them.</summary>
    public static Task<IReadOnlyDictionary<string, JsonElement>?> TryGetPeersAsync(Uri baseUrl, string? tokenFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return TryGetPeersAsync(() => NodeApiClient.Create(baseUrl, tokenFile, s_timeout), cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, JsonElement>?> TryGetPeersAsync(Func<HttpClient?> connect, CancellationToken cancellationToken)
    {
        try
        {
            using var http = connect();
            if (http is null)
            {
                return null;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/peers", UriKind.Relative));
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(json);
            var peers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var peer in document.RootElement.GetProperty("peers").EnumerateArray())
            {
                peers[peer.GetProperty("deviceId").GetString()!] = peer.Clone();
            }

            return peers;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException
            or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using System.Net.Http.Headers;
using Isg.Actors.Repositories;
using Isg.Node.Hosting;

namespace Isg.Node.Http;

/// <summary>
/// HTTP clients for the API of the node running on a repository, for the commands that ask it (`isg peer list`,
/// `isg sync`, `isg status`): the base URL from <see cref="NodeEndpointFile"/>, trusted only while
/// <see cref="NodeLock.IsHeld"/>, and the repository's API token as the bearer when it has one.
/// </summary>
public static class NodeApiClient
{
    /// <summary>
    /// A client for the node running on <paramref name="layout"/>; null when no node runs there. The caller disposes it.
    /// Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the token file cannot be read.
    /// </summary>
    public static HttpClient? TryCreate(RepositoryLayout layout, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!NodeLock.IsHeld(layout) || NodeEndpointFile.TryRead(layout) is not { } baseUrl)
        {
            return null;
        }

        return Create(baseUrl, File.Exists(layout.ApiTokenFile) ? layout.ApiTokenFile : null, timeout);
    }

    /// <summary>
    /// A client for the API at <paramref name="baseUrl"/> that sends the token in <paramref name="tokenFile"/> (null:
    /// none). The caller disposes it. Throws as <see cref="TryCreate"/>.
    /// </summary>
    public static HttpClient Create(Uri baseUrl, string? tokenFile, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = timeout };
        try
        {
            if (tokenFile is not null)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(tokenFile).Trim());
            }

            return http;
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }
}

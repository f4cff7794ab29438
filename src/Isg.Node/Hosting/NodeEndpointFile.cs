using System.Net;
using System.Text;
using Isg.Actors.Repositories;
using Isg.Actors.Storage;

namespace Isg.Node.Hosting;

/// <summary>
/// <c>&lt;repo&gt;/node-api</c>: the base URL of the HTTP API of the node serving the repository, written by `isg node run`
/// once it listens and removed when it stops, so that other commands (`isg peer list`) can ask the running node.
/// Trust it only while <see cref="NodeLock.IsHeld"/>: a node that crashed leaves it behind.
/// </summary>
public static class NodeEndpointFile
{
    /// <summary>The file of <paramref name="layout"/>.</summary>
    public static string PathOf(RepositoryLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Path.Combine(layout.Root, "node-api");
    }

    /// <summary>Records that the API listens on <paramref name="endpoint"/> (an unspecified address is reached through loopback).</summary>
    public static void Write(RepositoryLayout layout, IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endpoint.Address;
        var url = $"http://{new IPEndPoint(address, endpoint.Port)}/";
        AtomicFile.WriteAllBytes(PathOf(layout), Encoding.UTF8.GetBytes(url + "\n"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>The recorded base URL; null when there is none or it does not parse.</summary>
    public static Uri? TryRead(RepositoryLayout layout)
    {
        var path = PathOf(layout);
        try
        {
            return Uri.TryCreate(File.ReadAllText(path).Trim(), UriKind.Absolute, out var url) ? url : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes the file (the node stops). Idempotent.</summary>
    public static void Delete(RepositoryLayout layout) => File.Delete(PathOf(layout));
}

using Isg.Actors.Repositories;
using Isg.Actors.Storage;

namespace Isg.Node.Hosting;

/// <summary>
/// Held (flock, exclusive) by a running `isg node run` on <c>&lt;repo&gt;/node.lock</c>, so that other processes can
/// tell whether a node serves the repository (e.g. `isg repair` hands its request to that node's healer).
/// </summary>
public sealed class NodeLock : IDisposable
{
    private readonly FileLock _lock;

    private NodeLock(FileLock fileLock) => _lock = fileLock;

    /// <summary>The lock file of <paramref name="layout"/>.</summary>
    public static string PathOf(RepositoryLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Path.Combine(layout.Root, "node.lock");
    }

    /// <summary>Takes the lock; null when another node holds it.</summary>
    public static NodeLock? TryTake(RepositoryLayout layout)
    {
        var fileLock = FileLock.TryTake(PathOf(layout), exclusive: true);
        return fileLock is null ? null : new NodeLock(fileLock);
    }

    /// <summary>
    /// Whether a running node holds the lock (probes by taking and releasing it). No lock file, no node: a running node
    /// made it, and probing would create it, or fail where there is no repository at all.
    /// </summary>
    public static bool IsHeld(RepositoryLayout layout)
    {
        if (!File.Exists(PathOf(layout)))
        {
            return false;
        }

        using var probe = TryTake(layout);
        return probe is null;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();
}

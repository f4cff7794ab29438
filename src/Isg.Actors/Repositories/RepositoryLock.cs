using Isg.Actors.Storage;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Repositories;

/// <summary>
/// A lock on the whole repository, across processes (flock on <c>&lt;repo&gt;/lock</c>): adds hold it shared, a
/// removal holds it exclusive. Within one node the catalogue actor orders commits and deletions, but an add in one
/// process and an rm in another could otherwise interleave so that the add commits a block the rm just deleted.
/// Never waits: a conflict is a <see cref="RepositoryException"/> (Busy) the user can retry.
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private RepositoryLock(SafeFileHandle handle) => _handle = handle;

    /// <summary>Takes the lock for an operation that adds data (many may run at once).</summary>
    public static RepositoryLock ForAdding(RepositoryLayout layout) => Take(layout, exclusive: false,
        "a removal is running on this repository; add again when it has finished");

    /// <summary>Takes the lock for an operation that deletes data (alone).</summary>
    public static RepositoryLock ForRemoving(RepositoryLayout layout) => Take(layout, exclusive: true,
        "an add is running on this repository; remove again when it has finished");

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _handle.Dispose();

    private static RepositoryLock Take(RepositoryLayout layout, bool exclusive, string conflict)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var handle = NativeFileSystem.OpenLockFile(layout.LockFile);
        try
        {
            if (!NativeFileSystem.TryLock(handle, exclusive, layout.LockFile))
            {
                throw new RepositoryException(RepositoryErrorKind.Busy, $"{layout.Root}: {conflict}");
            }

            return new RepositoryLock(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}

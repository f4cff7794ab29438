using Isg.Actors.Storage;

namespace Isg.Actors.Repositories;

/// <summary>
/// A lock on the whole repository, across processes (flock on <c>&lt;repo&gt;/lock</c>): adds hold it shared, a
/// removal holds it exclusive. Within one node the catalogue actor orders commits and deletions, but an add in one
/// process and an rm in another could otherwise interleave so that the add commits a block the rm just deleted.
/// Never waits: a conflict is a <see cref="RepositoryException"/> (Busy) the user can retry.
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    private readonly FileLock _lock;

    private RepositoryLock(FileLock fileLock) => _lock = fileLock;

    /// <summary>Takes the lock for an operation that adds data (many may run at once).</summary>
    public static RepositoryLock ForAdding(RepositoryLayout layout) => Take(layout, exclusive: false,
        "a removal is running on this repository; add again when it has finished");

    /// <summary>Takes the lock for an operation that deletes data (alone).</summary>
    public static RepositoryLock ForRemoving(RepositoryLayout layout) => Take(layout, exclusive: true,
        "an add is running on this repository; remove again when it has finished");

    /// <summary>
    /// Takes the lock for removing, retrying while an add holds it, for at most <paramref name="wait"/> (zero: one
    /// try). Polls (flock cannot wait with a timeout) every 50 ms at first, backing off to 1 s. Throws the Busy
    /// <see cref="RepositoryException"/> when the time is up; <paramref name="onBusy"/> runs once, at the first
    /// conflict, so a caller can say that it waits.
    /// </summary>
    public static async Task<RepositoryLock> ForRemovingAsync(RepositoryLayout layout, TimeSpan wait, Action? onBusy, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        var deadline = DateTimeOffset.UtcNow + wait;
        var delay = TimeSpan.FromMilliseconds(50);
        var told = false;
        while (true)
        {
            try
            {
                return ForRemoving(layout);
            }
            catch (RepositoryException e) when (e.Kind == RepositoryErrorKind.Busy)
            {
                var left = deadline - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new RepositoryException(RepositoryErrorKind.Busy,
                        $"{layout.Root}: an add has been running for the whole {wait.TotalSeconds:0.#} s wait; run again when it has finished", e);
                }

                if (!told)
                {
                    told = true;
                    onBusy?.Invoke();
                }

                await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    private static RepositoryLock Take(RepositoryLayout layout, bool exclusive, string conflict)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var fileLock = FileLock.TryTake(layout.LockFile, exclusive)
            ?? throw new RepositoryException(RepositoryErrorKind.Busy, $"{layout.Root}: {conflict}");
        return new RepositoryLock(fileLock);
    }
}

namespace Isg.Actors.Backends.Local;

/// <summary>How <see cref="LocalBlockStore"/> makes puts durable. Both are crash-safe for objects named in the catalogue.</summary>
public enum LocalDurability
{
    /// <summary>Each put fsyncs its pack (and the packs folder) and commits its index row with a synced WAL; FlushAsync has nothing to do. Slowest.</summary>
    PerPut,

    /// <summary>
    /// Puts write and commit without syncing; FlushAsync fsyncs the packs written since the last flush, then commits
    /// once with a synced WAL. The default: a flush costs a few fsyncs however many objects were put.
    /// </summary>
    OnFlush,
}

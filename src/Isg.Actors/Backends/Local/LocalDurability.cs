namespace Isg.Actors.Backends.Local;

/// <summary>How <see cref="LocalBlockStore"/> makes puts durable. All three are crash-safe for objects named in the catalogue.</summary>
/// <remarks>
/// Measured on ext4 (virtio disk, Linux 6.18, 2 busy cores), four writers, then one flush; medians of three runs:
/// <code>
///                 256 x 1 MiB + flush              10 000 x 8 KiB + flush
/// PerPut          1124 ms  228 MiB/s               4472 ms  2236 files/s
/// DeferredFsync    428 ms  598 MiB/s (flush 201)   4270 ms  2342 files/s (flush 409-678)
/// SyncFs           390 ms  656 MiB/s (flush 154)   2978 ms  3358 files/s (flush 91-107)
/// </code>
/// Puts themselves cost the same in the deferred modes (file creation, about 0.2 ms here, dominates small objects);
/// the difference is the barrier: one syncfs beats one open+fsync+close per object, and both beat syncing every
/// put. SyncFs is the default. All are correct on Linux 5.8+, where syncfs reports write-back errors; the store
/// falls back to DeferredFsync on older kernels.
/// </remarks>
public enum LocalDurability
{
    /// <summary>Each put fsyncs its file before the rename and the directory after it; FlushAsync has nothing to do. Slowest.</summary>
    PerPut,

    /// <summary>Puts only rename; FlushAsync fsyncs the files put since the last flush (in parallel), then their directories.</summary>
    DeferredFsync,

    /// <summary>
    /// Puts only rename; FlushAsync calls syncfs(2) once on the store's file system. Fastest, but it also waits for
    /// other programs' dirty data on that file system; so when every put since the last flush was a direct one
    /// (data already on the device), FlushAsync fsyncs those files and their directories instead.
    /// </summary>
    SyncFs,
}

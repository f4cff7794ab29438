namespace Isg.Actors.Backends.Local;

/// <summary>How <see cref="LocalBlockStore"/> makes puts durable. All are crash-safe for objects named in the catalogue.</summary>
public enum LocalDurability
{
    /// <summary>Each put fsyncs its file before the rename and the directory after it; FlushAsync has nothing to do. Slowest.</summary>
    PerPut,

    /// <summary>Puts only rename; FlushAsync fsyncs the files put since the last flush (in parallel) and their directories.</summary>
    DeferredFsync,

    /// <summary>Puts only rename; FlushAsync calls syncfs(2) once on the store's file system (which also flushes other programs' data there).</summary>
    SyncFs,
}

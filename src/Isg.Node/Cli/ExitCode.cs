namespace Isg.Node.Cli;

/// <summary>Process exit codes; the README documents them for scripts.</summary>
public enum ExitCode
{
    /// <summary>Everything asked for was done.</summary>
    Ok = 0,
    /// <summary>An unexpected failure (a bug or an unclassified I/O error); the message says what.</summary>
    Failure = 1,
    /// <summary>The command line was wrong.</summary>
    Usage = 2,
    /// <summary>No repository at the given place, or it is not initialised.</summary>
    NoRepository = 3,
    /// <summary>The passphrase did not unlock the repository key, or none was given.</summary>
    WrongPassphrase = 4,
    /// <summary>Stored data failed verification: a block is corrupt or missing.</summary>
    DataCorrupt = 5,
    /// <summary>A path named on the command line does not exist (on disk or in the catalogue).</summary>
    NotFound = 6,
    /// <summary>The disk is full or another storage error stopped the work; nothing half-written was kept.</summary>
    StorageError = 7,
    /// <summary>The catalogue database is damaged or locked.</summary>
    CatalogDamaged = 8,
    /// <summary>Some items failed while others succeeded (e.g. unreadable files during add).</summary>
    Partial = 9,
    /// <summary>Interrupted (Ctrl-C); acknowledged work is kept.</summary>
    Interrupted = 130,
}

namespace Isg.Actors.Catalog;

/// <summary>Why a catalogue operation failed.</summary>
public enum CatalogErrorKind
{
    /// <summary>The file is not an SQLite database or its pages are damaged (SQLITE_NOTADB, SQLITE_CORRUPT).</summary>
    Corrupt,

    /// <summary>Another connection held the lock longer than the busy timeout.</summary>
    Busy,

    /// <summary>The database was written by a newer version of Isg (its schema version is above ours).</summary>
    SchemaTooNew,

    /// <summary>A valid SQLite database that is not an Isg catalogue.</summary>
    NotACatalog,

    /// <summary>The disk or quota is full (SQLITE_FULL); the transaction was rolled back.</summary>
    DiskFull,

    /// <summary>The file could not be opened, read or written (I/O error, permissions, read-only file system).</summary>
    Io,

    /// <summary>The request broke a catalogue rule, such as a file naming a block that is not stored.</summary>
    Constraint,
}

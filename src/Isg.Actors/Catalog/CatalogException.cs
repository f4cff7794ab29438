namespace Isg.Actors.Catalog;

/// <summary>A catalogue failure with its <see cref="Kind"/> and the database path. The transaction in progress was rolled back.</summary>
public sealed class CatalogException : Exception
{
    /// <summary>Creates the exception; <paramref name="path"/> is the database file.</summary>
    public CatalogException(CatalogErrorKind kind, string path, string message, Exception? innerException = null)
        : base($"{message} ({path})", innerException)
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>Why it failed.</summary>
    public CatalogErrorKind Kind { get; }

    /// <summary>The catalogue database file.</summary>
    public string Path { get; }
}

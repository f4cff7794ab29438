using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>Turns SQLite result codes into <see cref="CatalogException"/>s; codes we do not expect (SQL errors, our bugs) pass through.</summary>
internal static class CatalogErrors
{
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteConstraint = 19;
    private const int SqliteNotADb = 26;

    /// <summary>Whether <paramref name="exception"/> has a code <see cref="Map"/> turns into a typed error.</summary>
    public static bool IsMapped(SqliteException exception) => KindOf(exception.SqliteErrorCode) is not null;

    /// <summary>The typed error for a mapped <paramref name="exception"/>, naming <paramref name="path"/>.</summary>
    public static CatalogException Map(SqliteException exception, string path)
    {
        var kind = KindOf(exception.SqliteErrorCode) ?? throw new ArgumentException("unmapped SQLite error", nameof(exception));
        var message = kind switch
        {
            CatalogErrorKind.Corrupt => $"catalogue is corrupt or not an SQLite database: {exception.Message}",
            CatalogErrorKind.Busy => $"catalogue is locked by another connection beyond the busy timeout: {exception.Message}",
            CatalogErrorKind.DiskFull => $"disk full writing the catalogue: {exception.Message}",
            CatalogErrorKind.Constraint => $"catalogue rule broken: {exception.Message}",
            _ => $"catalogue I/O failed: {exception.Message}",
        };
        return new CatalogException(kind, path, message, exception);
    }

    private static CatalogErrorKind? KindOf(int code) => code switch
    {
        SqliteCorrupt or SqliteNotADb => CatalogErrorKind.Corrupt,
        SqliteBusy or SqliteLocked => CatalogErrorKind.Busy,
        SqliteFull => CatalogErrorKind.DiskFull,
        SqliteIoErr or SqliteCantOpen or SqliteReadOnly or SqlitePerm => CatalogErrorKind.Io,
        SqliteConstraint => CatalogErrorKind.Constraint,
        _ => null,
    };
}

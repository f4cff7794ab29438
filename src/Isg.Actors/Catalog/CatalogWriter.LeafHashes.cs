namespace Isg.Actors.Catalog;

/// <summary>Stored leaf hashes (schema v11, <see cref="CatalogLeafHashes"/>): putting right the ones that are wrong.</summary>
public sealed partial class CatalogWriter
{
    /// <summary>
    /// Rewrites, in one transaction, every files.leaf_hash that is not its row's entry's tree hash (and fills missing
    /// ones), so that the catalogue root agrees with peers holding the same entries. Returns how many rows changed;
    /// 0 on a catalogue older than schema v11.
    /// </summary>
    public int RewriteLeafHashes() => InTransaction(RewriteStaleLeafHashes);

    // Inside the caller's transaction.
    private int RewriteStaleLeafHashes()
    {
        if (!_database.HasLeafHashes)
        {
            return 0;
        }

        CatalogLeafHashes.Register(_connection);
        using var command = _connection.CreateCommand();
        command.CommandText = $"UPDATE files SET leaf_hash = {CatalogLeafHashes.SqlCall} WHERE {CatalogLeafHashes.StaleCondition}";
        return command.ExecuteNonQuery();
    }
}

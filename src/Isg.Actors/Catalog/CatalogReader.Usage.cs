namespace Isg.Actors.Catalog;

/// <summary>The reader's storage-use totals (parity, snapshots, reclaimable space).</summary>
public sealed partial class CatalogReader
{
    // The unprotected count is CountUnprotectedBlocks' query, so stats and health agree by construction.
    private const string StorageUseSql = $"""
        SELECT
            (SELECT count(*) FROM stripes),
            (SELECT count(*) FROM chunks WHERE is_parity = 1),
            (SELECT coalesce(sum(s.shard_size), 0) FROM chunks c JOIN stripes s ON s.id = c.stripe_id WHERE c.is_parity = 1),
            ({UnprotectedSql}),
            (SELECT count(*) FROM blocks b WHERE b.refcount > 0 AND NOT EXISTS (SELECT 1 FROM file_blocks f WHERE f.block_id = b.id)),
            (SELECT coalesce(sum(b.stored_size), 0) FROM blocks b WHERE b.refcount > 0 AND NOT EXISTS (SELECT 1 FROM file_blocks f WHERE f.block_id = b.id)),
            (SELECT count(*) FROM blocks WHERE refcount = 0),
            (SELECT coalesce(sum(stored_size), 0) FROM blocks WHERE refcount = 0)
        """;

    /// <summary>Parity, unprotected, snapshot-only and reclaimable totals in one consistent read. Scans blocks and chunks.</summary>
    public StorageUse GetStorageUse() => Run(StorageUseSql, 0, command =>
    {
        using var reader = command.ExecuteReader();
        reader.Read();
        return new StorageUse(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
            reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
    });
}

using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>The healer's reads: chunks in scrub order, recorded faults, and the files a damaged block belongs to.</summary>
public sealed partial class CatalogReader
{
    // Data chunks take size and stripe from their block; parity chunks carry their stripe and take the stripe's
    // shard size. A data chunk whose block row is gone (being forgotten) is skipped.
    private const string ChunkColumns = """
        c.block_id, c.backend, c.object_name,
        CASE WHEN c.is_parity = 1 THEN s.shard_size ELSE b.stored_size END,
        c.verified_at, c.is_parity,
        CASE WHEN c.is_parity = 1 THEN c.stripe_id ELSE b.stripe_id END,
        CASE WHEN c.is_parity = 1 THEN c.shard_index ELSE b.stripe_index END
        FROM chunks c
        LEFT JOIN blocks b ON b.id = c.block_id AND c.is_parity = 0
        LEFT JOIN stripes s ON s.id = c.stripe_id AND c.is_parity = 1
        """;
    private const string ChunkRowExists = "(b.id IS NOT NULL OR s.id IS NOT NULL)";

    // (backend, object_name) is the chunks_object index: a stable order that a cursor can resume from.
    private const string ChunksFromSql = $"""
        SELECT {ChunkColumns}
        WHERE (c.backend, c.object_name) > ($p0, $p1) AND {ChunkRowExists}
        ORDER BY c.backend, c.object_name
        LIMIT $p2
        """;
    private const string ChunksOfBlockSql = $"""
        SELECT {ChunkColumns}
        WHERE c.block_id = $p0 AND {ChunkRowExists}
        ORDER BY c.backend, c.object_name
        """;
    // The blocks of the entry at the prefix and of those below it, as ListPrefixSql finds them (two index seeks).
    private const string ChunksUnderSql = $"""
        SELECT {ChunkColumns}
        WHERE c.block_id IN (
            SELECT fb.block_id FROM files f JOIN file_blocks fb ON fb.file_id = f.id WHERE f.path = $p0
            UNION
            SELECT fb.block_id FROM files f JOIN file_blocks fb ON fb.file_id = f.id WHERE f.path >= $p1 AND f.path < $p2)
          AND {ChunkRowExists}
        ORDER BY c.backend, c.object_name
        """;
    private const string ChunksOfAllFilesSql = $"""
        SELECT {ChunkColumns}
        WHERE c.block_id IN (SELECT block_id FROM file_blocks) AND {ChunkRowExists}
        ORDER BY c.backend, c.object_name
        """;
    private const string ChunkAtSql = $"""
        SELECT {ChunkColumns}
        WHERE c.backend = $p0 AND c.object_name = $p1 AND {ChunkRowExists}
        """;
    private const string ShardFaultsSql = "SELECT backend, object_name, kind, found_at, message FROM shard_faults ORDER BY backend, object_name";
    private const string FilesOfBlockSql = """
        SELECT DISTINCT f.path FROM file_blocks fb JOIN files f ON f.id = fb.file_id
        WHERE fb.block_id = $p0
        ORDER BY f.path
        """;

    // Referenced blocks outside any stripe: how many copies each has and how many of them a scrub found bad.
    private const string BlockHealthSql = """
        SELECT
            (SELECT count(*) FROM blocks WHERE refcount > 0),
            coalesce(sum(bad > 0 AND bad < copies), 0),
            coalesce(sum(bad > 0 AND bad >= copies), 0)
        FROM (
            SELECT b.id,
                   (SELECT count(*) FROM chunks c WHERE c.block_id = b.id AND c.is_parity = 0) AS copies,
                   (SELECT count(*) FROM chunks c JOIN shard_faults f ON f.backend = c.backend AND f.object_name = c.object_name
                    WHERE c.block_id = b.id AND c.is_parity = 0) AS bad
            FROM blocks b WHERE b.refcount > 0 AND b.stripe_id IS NULL
        )
        """;

    // Per stripe, its bad shards: data shards with no intact copy left, and faulty parity shards.
    private const string StripeHealthSql = """
        SELECT count(*), coalesce(sum(bad = 0), 0), coalesce(sum(bad > 0 AND bad <= m), 0), coalesce(sum(bad > m), 0)
        FROM (
            SELECT s.id, s.m,
                (SELECT count(*) FROM blocks b WHERE b.stripe_id = s.id AND NOT EXISTS (
                    SELECT 1 FROM chunks c WHERE c.block_id = b.id AND c.is_parity = 0 AND NOT EXISTS (
                        SELECT 1 FROM shard_faults f WHERE f.backend = c.backend AND f.object_name = c.object_name)))
              + (SELECT count(*) FROM chunks c JOIN shard_faults f ON f.backend = c.backend AND f.object_name = c.object_name
                 WHERE c.stripe_id = s.id AND c.is_parity = 1) AS bad
            FROM stripes s
        )
        """;
    private const string BackendShardsSql = """
        SELECT c.backend, count(*), coalesce(sum(CASE WHEN c.is_parity = 1 THEN s.shard_size ELSE b.stored_size END), 0),
               coalesce(sum(EXISTS (SELECT 1 FROM shard_faults f WHERE f.backend = c.backend AND f.object_name = c.object_name)), 0)
        FROM chunks c
        LEFT JOIN blocks b ON b.id = c.block_id AND c.is_parity = 0
        LEFT JOIN stripes s ON s.id = c.stripe_id AND c.is_parity = 1
        WHERE b.id IS NOT NULL OR s.id IS NOT NULL
        GROUP BY c.backend ORDER BY c.backend
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> chunk rows after <paramref name="after"/> (null: from the start) in
    /// (backend, object name) order, the order a scrub walks and resumes in.
    /// </summary>
    public IReadOnlyList<ChunkRecord> ListChunks(ShardAddress? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Run(ChunksFromSql, 3, command =>
        {
            command.Parameters[0].Value = after?.Backend ?? string.Empty;
            command.Parameters[1].Value = after?.ObjectName ?? string.Empty;
            command.Parameters[2].Value = limit;
            var chunks = new List<ChunkRecord>(Math.Min(limit, 1024));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                chunks.Add(ReadChunk(reader));
            }

            return chunks;
        });
    }

    /// <summary>Every chunk row (stored copy) of block <paramref name="id"/>, in (backend, object name) order.</summary>
    public IReadOnlyList<ChunkRecord> GetChunksOfBlock(BlockId id) => Run(ChunksOfBlockSql, 1, command =>
    {
        SetId(command, 0, id);
        var chunks = new List<ChunkRecord>(2);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ReadChunk(reader));
        }

        return chunks;
    });

    /// <summary>
    /// Every chunk row (stored copy) of the blocks of the files at and below catalogue path <paramref name="prefix"/>
    /// ("" for every file), in (backend, object name) order. One query, however many files and blocks.
    /// </summary>
    public IReadOnlyList<ChunkRecord> GetChunksUnder(string prefix)
    {
        CatalogPaths.ValidatePrefix(prefix, nameof(prefix));
        return Run(prefix.Length == 0 ? ChunksOfAllFilesSql : ChunksUnderSql, prefix.Length == 0 ? 0 : 3, command =>
        {
            if (prefix.Length > 0)
            {
                command.Parameters[0].Value = prefix;
                command.Parameters[1].Value = CatalogPaths.DescendantsLowerBound(prefix);
                command.Parameters[2].Value = CatalogPaths.DescendantsUpperBound(prefix);
            }

            var chunks = new List<ChunkRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                chunks.Add(ReadChunk(reader));
            }

            return chunks;
        });
    }

    /// <summary>The chunk row stored at <paramref name="address"/>, or null.</summary>
    public ChunkRecord? GetChunkAt(ShardAddress address) => Run(ChunkAtSql, 2, command =>
    {
        command.Parameters[0].Value = address.Backend;
        command.Parameters[1].Value = address.ObjectName;
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadChunk(reader) : null;
    });

    /// <summary>Stripes by health from the recorded faults: (stripes, healthy, degraded: 1..m bad shards, lost: more than m).</summary>
    public (long Stripes, long Healthy, long Degraded, long Lost) GetStripeHealth() => Run(StripeHealthSql, 0, command =>
    {
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    });

    /// <summary>Every recorded, unrepaired fault, in (backend, object name) order.</summary>
    public IReadOnlyList<ShardFault> GetShardFaults() => Run(ShardFaultsSql, 0, command =>
    {
        var faults = new List<ShardFault>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            faults.Add(new ShardFault(new ShardAddress(reader.GetString(0), reader.GetString(1)), (ShardFaultKind)reader.GetInt32(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4)));
        }

        return faults;
    });

    /// <summary>The paths of the files that reference block <paramref name="id"/>, sorted.</summary>
    public IReadOnlyList<string> GetFilesUsingBlock(BlockId id) => Run(FilesOfBlockSql, 1, command =>
    {
        SetId(command, 0, id);
        var paths = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            paths.Add(reader.GetString(0));
        }

        return paths;
    });

    /// <summary>
    /// Health of the referenced blocks from their copies and the recorded faults: (referenced blocks; of those in no
    /// stripe: blocks with some but not all copies bad, with every copy bad). Scans blocks and chunks.
    /// </summary>
    public (long Blocks, long Degraded, long Lost) GetBlockHealth() => Run(BlockHealthSql, 0, command =>
    {
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    });

    /// <summary>Per backend: (name, chunks stored, their stored bytes, chunks with a recorded fault), by name.</summary>
    public IReadOnlyList<(string Backend, long Shards, long Bytes, long Bad)> GetBackendShards() => Run(BackendShardsSql, 0, command =>
    {
        var rows = new List<(string, long, long, long)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return rows;
    });

    private ChunkRecord ReadChunk(Microsoft.Data.Sqlite.SqliteDataReader reader) => new(
        ReadId(reader, 0),
        new ShardAddress(reader.GetString(1), reader.GetString(2)),
        reader.GetInt32(3),
        reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.GetInt32(5) == 1,
        reader.IsDBNull(6) ? null : reader.GetInt64(6),
        reader.IsDBNull(7) ? -1 : reader.GetInt32(7));

    /// <summary>
    /// How many entries have a stored leaf hash that is not their tree hash, or none (both are what
    /// <see cref="CatalogWriter.RewriteLeafHashes"/> rewrites). Reads every entry; 0 below schema v11.
    /// </summary>
    public long CountStaleLeafHashes()
    {
        if (!_hasLeafHashes)
        {
            return 0;
        }

        CatalogLeafHashes.Register(_connection);
        return _connection.ScalarInt64($"SELECT count(*) FROM files WHERE {CatalogLeafHashes.StaleCondition}");
    }
}

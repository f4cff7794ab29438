using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>The healer's reads: chunks in scrub order, recorded faults, and the files a damaged block belongs to.</summary>
public sealed partial class CatalogReader
{
    private const string ChunkColumns = "c.block_id, c.backend, c.object_name, b.stored_size, c.verified_at";

    // (backend, object_name) is the chunks_object index: a stable order that a cursor can resume from.
    private const string ChunksFromSql = $"""
        SELECT {ChunkColumns} FROM chunks c JOIN blocks b ON b.id = c.block_id
        WHERE (c.backend, c.object_name) > ($p0, $p1)
        ORDER BY c.backend, c.object_name
        LIMIT $p2
        """;
    private const string ChunksOfBlockSql = $"""
        SELECT {ChunkColumns} FROM chunks c JOIN blocks b ON b.id = c.block_id
        WHERE c.block_id = $p0
        ORDER BY c.backend, c.object_name
        """;
    private const string ShardFaultsSql = "SELECT backend, object_name, kind, found_at, message FROM shard_faults ORDER BY backend, object_name";
    private const string FilesOfBlockSql = """
        SELECT DISTINCT f.path FROM file_blocks fb JOIN files f ON f.id = fb.file_id
        WHERE fb.block_id = $p0
        ORDER BY f.path
        """;

    // One row per referenced block: how many copies it has and how many of them a scrub found bad.
    private const string BlockHealthSql = """
        SELECT
            count(*),
            coalesce(sum(copies = 1), 0),
            coalesce(sum(bad > 0 AND bad < copies), 0),
            coalesce(sum(bad > 0 AND bad >= copies), 0)
        FROM (
            SELECT b.id,
                   (SELECT count(*) FROM chunks c WHERE c.block_id = b.id) AS copies,
                   (SELECT count(*) FROM chunks c JOIN shard_faults f ON f.backend = c.backend AND f.object_name = c.object_name
                    WHERE c.block_id = b.id) AS bad
            FROM blocks b WHERE b.refcount > 0
        )
        """;
    private const string BackendShardsSql = """
        SELECT c.backend, count(*), coalesce(sum(b.stored_size), 0),
               (SELECT count(*) FROM shard_faults f WHERE f.backend = c.backend
                AND EXISTS (SELECT 1 FROM chunks c2 WHERE c2.backend = f.backend AND c2.object_name = f.object_name))
        FROM chunks c JOIN blocks b ON b.id = c.block_id
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
    /// Health of the referenced blocks from their copies and the recorded faults: (blocks, blocks with a single
    /// copy, blocks with some but not all copies bad, blocks with every copy bad). Scans blocks and chunks.
    /// </summary>
    public (long Blocks, long SingleCopy, long Degraded, long Lost) GetBlockHealth() => Run(BlockHealthSql, 0, command =>
    {
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
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
        reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}

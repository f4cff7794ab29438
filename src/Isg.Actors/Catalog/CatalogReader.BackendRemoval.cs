using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>The reader's queries for removing a backend.</summary>
public sealed partial class CatalogReader
{
    // Shards of each stripe available without the backend: data blocks with a data chunk elsewhere, parity chunks
    // elsewhere; a stripe with k of them rebuilds any of its blocks.
    internal const string LeavingBlocksSql = """
        WITH avail AS (
            SELECT b.stripe_id AS sid, b.stripe_index AS idx FROM blocks b
            JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
            WHERE b.stripe_id IS NOT NULL AND c.backend <> $p0
            UNION
            SELECT stripe_id, shard_index FROM chunks WHERE is_parity = 1 AND backend <> $p0
        ), rebuildable AS (
            SELECT s.id FROM stripes s JOIN avail a ON a.sid = s.id GROUP BY s.id HAVING count(*) >= s.k
        )
        SELECT c.block_id, c.object_name, b.stripe_id, b.stripe_index,
               b.stripe_id IS NOT NULL AND b.stripe_id IN (SELECT id FROM rebuildable)
        FROM chunks c JOIN blocks b ON b.id = c.block_id
        WHERE c.backend = $p0 AND c.is_parity = 0
          AND NOT EXISTS (SELECT 1 FROM chunks o WHERE o.block_id = c.block_id AND o.backend <> $p0 AND o.is_parity = 0)
        ORDER BY c.block_id
        """;

    internal const string LeavingParitySql = """
        SELECT c.block_id, c.object_name, c.stripe_id, c.shard_index FROM chunks c
        WHERE c.backend = $p0 AND c.is_parity = 1
          AND NOT EXISTS (SELECT 1 FROM chunks o WHERE o.block_id = c.block_id AND o.backend <> $p0 AND o.is_parity = 1 AND o.stripe_id = c.stripe_id)
        ORDER BY c.stripe_id, c.shard_index
        """;

    /// <summary>The parity shards whose only copy is on <paramref name="backend"/> (rebuildable while their stripe has k other shards).</summary>
    public IReadOnlyList<LeavingBlock> ListLeavingParity(string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        return Run(LeavingParitySql, 1, command =>
        {
            command.Parameters[0].Value = backend;
            var shards = new List<LeavingBlock>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                shards.Add(new LeavingBlock(BlockId.FromBytes(reader.GetFieldValue<byte[]>(0)), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3),
                    Rebuildable: true, IsParity: true));
            }

            return shards;
        });
    }

    /// <summary>
    /// The blocks whose only data copy is on <paramref name="backend"/>, each saying whether its stripe can rebuild it
    /// without that backend. Scans the backend's chunks and every stripe.
    /// </summary>
    public IReadOnlyList<LeavingBlock> ListLeavingBlocks(string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        return Run(LeavingBlocksSql, 1, command =>
        {
            command.Parameters[0].Value = backend;
            var blocks = new List<LeavingBlock>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                blocks.Add(new LeavingBlock(BlockId.FromBytes(reader.GetFieldValue<byte[]>(0)), reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetInt64(4) != 0));
            }

            return blocks;
        });
    }
}

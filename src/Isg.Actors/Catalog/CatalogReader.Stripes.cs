using System.Globalization;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>The reader's stripe and backend queries.</summary>
public sealed partial class CatalogReader
{
    private const string BlockStripeSql = "SELECT stripe_id, stripe_index FROM blocks WHERE id = $p0 AND stripe_id IS NOT NULL";
    private const string StripeSql = "SELECT k, m, shard_size FROM stripes WHERE id = $p0";
    private const string StripeDataSql = """
        SELECT b.stripe_index, b.id, b.stored_size, c.backend, c.object_name
        FROM blocks b LEFT JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
        WHERE b.stripe_id = $p0
        ORDER BY b.stripe_index, c.backend
        """;
    private const string StripeParitySql = """
        SELECT shard_index, block_id, backend, object_name
        FROM chunks
        WHERE stripe_id = $p0 AND is_parity = 1
        ORDER BY shard_index, backend
        """;
    private const string BackendsSql = "SELECT name, type, settings, added_at FROM backends ORDER BY name";
    private const string BackendUsageSql = """
        SELECT c.backend, count(*), coalesce(sum(CASE WHEN c.is_parity = 1 THEN s.shard_size ELSE b.stored_size END), 0)
        FROM chunks c
        LEFT JOIN blocks b ON b.id = c.block_id AND c.is_parity = 0
        LEFT JOIN stripes s ON s.id = c.stripe_id AND c.is_parity = 1
        GROUP BY c.backend
        ORDER BY c.backend
        """;
    private const string UnprotectedSql = "SELECT count(*) FROM blocks WHERE stripe_id IS NULL AND refcount > 0";
    private const string UnprotectedPageSql = "SELECT id FROM blocks WHERE stripe_id IS NULL AND refcount > 0 AND id > $p0 ORDER BY id LIMIT $p1";

    /// <summary>The stripe block <paramref name="id"/> is a data shard of, and its index there; null when it is in none.</summary>
    public (long StripeId, int Index)? GetBlockStripe(BlockId id) => Run(BlockStripeSql, 1, command =>
    {
        SetId(command, 0, id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt32(1)) : ((long, int)?)null;
    });

    /// <summary>A stripe with every shard the catalogue knows and where each is stored; null for an unknown id.</summary>
    public StripeLayout? GetStripe(long stripeId)
    {
        var head = Run(StripeSql, 1, command =>
        {
            command.Parameters[0].Value = stripeId;
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2)) : ((int K, int M, int ShardSize)?)null;
        });
        if (head is not { } stripe)
        {
            return null;
        }

        var shards = new List<StripeShard>(stripe.K + stripe.M);
        Run(StripeDataSql, 1, command =>
        {
            command.Parameters[0].Value = stripeId;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var index = reader.GetInt32(0);
                if (shards.Count == 0 || shards[^1].Index != index)
                {
                    shards.Add(new StripeShard(index, ReadId(reader, 1), false, reader.GetInt32(2), new List<(string, string)>()));
                }

                if (!reader.IsDBNull(3))
                {
                    ((List<(string, string)>)shards[^1].Locations).Add((reader.GetString(3), reader.GetString(4)));
                }
            }

            return 0;
        });
        Run(StripeParitySql, 1, command =>
        {
            command.Parameters[0].Value = stripeId;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var index = reader.GetInt32(0);
                if (shards.Count == 0 || shards[^1].Index != index)
                {
                    shards.Add(new StripeShard(index, ReadId(reader, 1), true, stripe.ShardSize, new List<(string, string)>()));
                }

                ((List<(string, string)>)shards[^1].Locations).Add((reader.GetString(2), reader.GetString(3)));
            }

            return 0;
        });
        return new StripeLayout(stripeId, stripe.K, stripe.M, stripe.ShardSize, shards);
    }

    /// <summary>Every configured backend, ordered by name.</summary>
    public IReadOnlyList<BackendRecord> ListBackends() => Run(BackendsSql, 0, command =>
    {
        var backends = new List<BackendRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            backends.Add(new BackendRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return backends;
    });

    /// <summary>Chunks (data and parity) and their sealed bytes per backend that holds any, ordered by backend. Scans chunks.</summary>
    public IReadOnlyList<BackendUsage> GetBackendUsage() => Run(BackendUsageSql, 0, command =>
    {
        var usage = new List<BackendUsage>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            usage.Add(new BackendUsage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return usage;
    });

    /// <summary>
    /// Referenced blocks in no stripe: not protected by parity (redundancy was off, or their stripe failed to be
    /// written). Not an error; a later pass may stripe them. Scans blocks.
    /// </summary>
    public long CountUnprotectedBlocks() => Run(UnprotectedSql, 0, command =>
        Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));

    /// <summary>
    /// Up to <paramref name="limit"/> referenced blocks in no stripe with ids after <paramref name="after"/> (null: from
    /// the first), in id order: page through them by passing the last id back. Scans blocks.
    /// </summary>
    public IReadOnlyList<BlockId> ListUnprotectedBlocks(BlockId? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Run(UnprotectedPageSql, 2, command =>
        {
            // Its own buffer (not SetId's reused one): the empty blob, which every id sorts after, is a different length.
            byte[] start = after is null ? [] : new byte[Hash256.Length];
            after?.WriteTo(start);
            command.Parameters[0].Value = start;

            command.Parameters[1].Value = limit;
            var blocks = new List<BlockId>(Math.Min(limit, 1024));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                blocks.Add(ReadId(reader, 0));
            }

            return blocks;
        });
    }
}

using Isg.Actors.GarbageCollection;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>Reads for garbage collection: candidate blocks and stripes, and which listed objects the catalogue knows.</summary>
public sealed partial class CatalogReader
{
    // FindUnknownObjects asks for this many names per statement; short batches repeat their last name.
    private const int ObjectBatch = 64;

    // Stripes the planner must see whole: those with a dead data block, and undersized ones (k < $p0).
    private const string GcStripeIdsSql = """
        WITH gc_stripes AS (
            SELECT DISTINCT stripe_id AS id FROM blocks WHERE refcount = 0 AND stripe_id IS NOT NULL
            UNION
            SELECT id FROM stripes WHERE k < $p0
        )
        """;

    private const string GcBlocksSql = GcStripeIdsSql + """
        SELECT b.id, b.refcount, b.stored_size, b.stripe_id, c.backend, c.object_name
        FROM blocks b LEFT JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
        WHERE b.refcount = 0 OR b.stripe_id IN (SELECT id FROM gc_stripes)
        ORDER BY b.id, c.backend
        """;

    private const string GcStripesSql = GcStripeIdsSql + """
        SELECT s.id, s.k, s.m, s.shard_size, c.backend, c.object_name
        FROM stripes s LEFT JOIN chunks c ON c.stripe_id = s.id AND c.is_parity = 1
        WHERE s.id IN (SELECT id FROM gc_stripes)
        ORDER BY s.id, c.shard_index, c.backend
        """;

    private static readonly string s_knownObjectsSql =
        "SELECT object_name FROM chunks WHERE backend = $p0 AND object_name IN (" +
        string.Join(", ", Enumerable.Range(1, ObjectBatch).Select(i => "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) +
        ")";

    /// <summary>
    /// The rows garbage collection plans over, in one consistent read: every block with refcount 0, and every stripe
    /// that has such a block or fewer than <paramref name="smallStripeK"/> data shards (0: none), with all of its
    /// data blocks and parity shards; each with all its locations. Scans the blocks table (there is no index on
    /// refcount): run it rarely.
    /// </summary>
    public GcCandidates ReadGcCandidates(int smallStripeK)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(smallStripeK);
        using var snapshot = BeginSnapshot();
        var blocks = Run(GcBlocksSql, 1, command =>
        {
            command.Parameters[0].Value = smallStripeK;
            var result = new List<GcBlock>();
            using var reader = command.ExecuteReader();
            GcBlock? current = null;
            List<GcObject>? objects = null;
            while (reader.Read())
            {
                var id = ReadId(reader, 0);
                if (current is null || current.Id != id)
                {
                    objects = [];
                    current = new GcBlock(id, reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), objects);
                    result.Add(current);
                }

                if (!reader.IsDBNull(4))
                {
                    objects!.Add(new GcObject(reader.GetString(4), reader.GetString(5), current.StoredSize));
                }
            }

            return result;
        });
        var stripes = Run(GcStripesSql, 1, command =>
        {
            command.Parameters[0].Value = smallStripeK;
            var result = new List<GcStripe>();
            using var reader = command.ExecuteReader();
            GcStripe? current = null;
            List<GcObject>? parity = null;
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (current is null || current.Id != id)
                {
                    parity = [];
                    current = new GcStripe(id, reader.GetInt32(1), reader.GetInt32(2), parity);
                    result.Add(current);
                }

                if (!reader.IsDBNull(4))
                {
                    parity!.Add(new GcObject(reader.GetString(4), reader.GetString(5), reader.GetInt64(3)));
                }
            }

            return result;
        });
        return new GcCandidates(blocks, stripes);
    }

    /// <summary>
    /// The names among <paramref name="names"/> that no catalogue location on <paramref name="backend"/> holds
    /// (data block or parity shard), looked up 64 at a time through the (backend, object_name) index.
    /// </summary>
    public IReadOnlyList<string> FindUnknownObjects(string backend, IReadOnlyCollection<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return [];
        }

        return Run(s_knownObjectsSql, ObjectBatch + 1, command =>
        {
            command.Parameters[0].Value = backend;
            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (var batch in names.Chunk(ObjectBatch))
            {
                for (var i = 0; i < ObjectBatch; i++)
                {
                    command.Parameters[i + 1].Value = batch[Math.Min(i, batch.Length - 1)];
                }

                using SqliteDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    known.Add(reader.GetString(0));
                }
            }

            return names.Where(n => !known.Contains(n)).ToList();
        });
    }
}

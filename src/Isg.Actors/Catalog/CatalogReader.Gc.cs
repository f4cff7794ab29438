using Isg.Actors.GarbageCollection;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>Reads for garbage collection: candidate blocks and stripes, and which listed objects the catalogue knows.</summary>
public sealed partial class CatalogReader
{
    // FindUnknownObjects asks for this many names per statement; short batches repeat their last name.
    private const int ObjectBatch = 64;

    private const string GcBlocksSql = """
        SELECT b.id, b.refcount, b.stored_size, c.backend, c.object_name
        FROM blocks b LEFT JOIN chunks c ON c.block_id = b.id
        WHERE b.refcount = 0
        ORDER BY b.id, c.backend
        """;

    private static readonly string s_knownObjectsSql =
        "SELECT object_name FROM chunks WHERE backend = $p0 AND object_name IN (" +
        string.Join(", ", Enumerable.Range(1, ObjectBatch).Select(i => "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) +
        ")";

    /// <summary>
    /// The rows garbage collection plans over, in one consistent read: every block with refcount 0 with all its
    /// locations. Scans the blocks table (there is no index on refcount): run it rarely.
    /// </summary>
    public GcCandidates ReadGcCandidates()
    {
        using var snapshot = BeginSnapshot();
        var blocks = Run(GcBlocksSql, 0, command =>
        {
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
                    current = new GcBlock(id, reader.GetInt64(1), reader.GetInt64(2), null, objects);
                    result.Add(current);
                }

                if (!reader.IsDBNull(3))
                {
                    objects!.Add(new GcObject(reader.GetString(3), reader.GetString(4), current.StoredSize));
                }
            }

            return result;
        });
        return new GcCandidates(blocks, []);
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

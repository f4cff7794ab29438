using Isg.Protocol.Catalogs;
using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Merkle;
using Isg.Protocol.Peers;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>Reads of the replicated catalogue: version vectors, operations a peer lacks, surviving state and Merkle roots.</summary>
public sealed partial class CatalogReader
{
    /// <summary>What this catalogue holds of each device's operation log (contiguous prefixes).</summary>
    public VersionVector ReadVersionVector() => ReadDeviceVector("SELECT device, contiguous FROM crdt_devices WHERE contiguous > 0");

    /// <summary>How far each device's log has been collected here (operations at or below it may be gone).</summary>
    public VersionVector ReadCollectedVector() => ReadDeviceVector("SELECT device, collected FROM crdt_devices WHERE collected > 0");

    /// <summary>
    /// Up to <paramref name="max"/> operations a replica at <paramref name="have"/> lacks, each device's in sequence
    /// order, in one consistent read. <see cref="OperationsPage.SnapshotRequired"/> is set when some of them were
    /// collected here: the replica must take the surviving state (<see cref="ReadSurvivors"/>) instead.
    /// </summary>
    public OperationsPage ReadOperationsAfter(VersionVector have, int max)
    {
        ArgumentNullException.ThrowIfNull(have);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        using var snapshot = BeginSnapshot();
        var collected = ReadCollectedVector();
        var snapshotRequired = collected.Entries.Any(e => have[e.Key] < e.Value);
        var operations = new List<CatalogOperation>();
        var more = false;
        foreach (var (device, _) in ReadVersionVector().Entries)
        {
            var room = max - operations.Count;
            if (room <= 0)
            {
                more = true;
                break;
            }

            Run("SELECT encoded FROM crdt_operations WHERE device = $p0 AND sequence > $p1 ORDER BY sequence LIMIT $p2", 3, command =>
            {
                command.Parameters[0].Value = device.Hash.ToArray();
                command.Parameters[1].Value = checked((long)have[device]);
                command.Parameters[2].Value = room + 1;
                using var reader = command.ExecuteReader();
                var taken = 0;
                while (reader.Read())
                {
                    if (++taken > room)
                    {
                        more = true;
                        break;
                    }

                    operations.Add(CrdtVersions.DecodeStored((byte[])reader.GetValue(0), _path));
                }

                return 0;
            });
        }

        return new OperationsPage(operations, more, snapshotRequired, collected);
    }

    /// <summary>
    /// The surviving operations of the paths in [<paramref name="start"/>, <paramref name="end"/>) (no end when
    /// null), path by path, stopping after <paramref name="maxPaths"/> paths; for drift repair and for peers that need
    /// the state rather than the log.
    /// </summary>
    public SurvivorsPage ReadSurvivors(string start, string? end, int maxPaths)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPaths);
        return Run("""
            SELECT path, encoded FROM crdt_operations
            WHERE survives = 1 AND path >= $p0 AND ($p1 IS NULL OR path < $p1)
            ORDER BY path, device, sequence
            """, 2, command =>
        {
            command.Parameters[0].Value = start;
            command.Parameters[1].Value = (object?)end ?? DBNull.Value;
            using var reader = command.ExecuteReader();
            var operations = new List<CatalogOperation>();
            string? last = null;
            var paths = 0;
            while (reader.Read())
            {
                var path = reader.GetString(0);
                if (!string.Equals(path, last, StringComparison.Ordinal))
                {
                    if (paths == maxPaths)
                    {
                        return new SurvivorsPage(operations, true, last);
                    }

                    paths++;
                    last = path;
                }

                operations.Add(CrdtVersions.DecodeStored((byte[])reader.GetValue(1), _path));
            }

            return new SurvivorsPage(operations, false, last);
        });
    }

    /// <summary>
    /// The Merkle root over the catalogue entries with paths in [<paramref name="start"/>, <paramref name="end"/>)
    /// (no end when null): <see cref="CatalogLeaf"/> hashes in path order, as snapshots compute it. Two replicas that
    /// show the same entries have the same root.
    /// </summary>
    public CatalogDigest ComputeCatalogDigest(string start, string? end)
    {
        ArgumentNullException.ThrowIfNull(start);
        return (_hasLeafHashes ? ComputeDigest(CatalogLeafHashesSql, start, end, StoredTreeHash) : null)
            ?? ComputeDigest(CatalogEntriesSql, start, end, EntryTreeHash)!.Value;
    }

    /// <summary>The statement behind <see cref="ComputeCatalogDigest"/>: each entry's stored tree hash in path order (tests read its plan).</summary>
    internal const string CatalogLeafHashesSql = """
        SELECT leaf_hash FROM files
        WHERE path >= $p0 AND ($p1 IS NULL OR path < $p1)
        ORDER BY path
        """;

    // The entries themselves, for a catalogue whose rows lack their stored hashes.
    private const string CatalogEntriesSql = """
        SELECT path, kind, size, mode, mtime_ns, link_target, merkle_root FROM files
        WHERE path >= $p0 AND ($p1 IS NULL OR path < $p1)
        ORDER BY path
        """;

    // The root over the tree hash `treeHash` reads from each row of `sql` (paths in [start, end), in order), or null when
    // it reads none from some row. `scratch` is a 32-byte buffer for the row's blob.
    private CatalogDigest? ComputeDigest(string sql, string start, string? end, Func<SqliteDataReader, byte[], Hash256?> treeHash) =>
        Run<CatalogDigest?>(sql, 2, command =>
        {
            command.Parameters[0].Value = start;
            command.Parameters[1].Value = (object?)end ?? DBNull.Value;
            using var reader = command.ExecuteReader();
            var merkle = new MerkleTreeBuilder();
            var scratch = new byte[Hash256.Length];
            while (reader.Read())
            {
                if (treeHash(reader, scratch) is not { } hash)
                {
                    return null;
                }

                merkle.AppendHashedLeaf(hash);
            }

            return new CatalogDigest(merkle.ComputeRoot(), merkle.Count);
        });

    // files.leaf_hash (see CatalogLeafHashes). Null for a row without it (written by other code than CatalogWriter, or
    // by a writer on an older schema in the migration tests): then the root is made from the entries instead.
    private static Hash256? StoredTreeHash(SqliteDataReader row, byte[] scratch)
    {
        if (row.IsDBNull(0))
        {
            return null;
        }

        row.GetBytes(0, 0, scratch, 0, scratch.Length);
        return Hash256.FromBytes(scratch);
    }

    private static Hash256? EntryTreeHash(SqliteDataReader row, byte[] scratch)
    {
        row.GetBytes(6, 0, scratch, 0, scratch.Length);
        return CatalogLeafHashes.Compute(row.GetString(0), (FileKind)row.GetInt32(1), row.GetInt64(2), row.GetInt32(3), row.GetInt64(4),
            row.IsDBNull(5) ? null : row.GetString(5), Hash256.FromBytes(scratch));
    }

    // A block row `b` that entries need and that no backend here stores: what peers are asked for. The terms of the
    // blocks_wanted partial index (schema v10), word for word, so SQLite reads that index instead of every block.
    private const string WantedBlockSql = "b.refcount > 0 AND b.chunk_count = 0";

    /// <summary>The statements behind <see cref="ReadWantedBlocks"/> and <see cref="CountWantedBlocks"/> (tests read their query plans).</summary>
    internal const string ReadWantedBlocksSql = $"SELECT b.id, b.plain_size FROM blocks b WHERE {WantedBlockSql} ORDER BY b.id LIMIT $p0";

    /// <inheritdoc cref="ReadWantedBlocksSql"/>
    internal const string CountWantedBlocksSql = $"SELECT count(*) FROM blocks b WHERE {WantedBlockSql}";

    /// <summary>
    /// Up to <paramref name="max"/> blocks that catalogue entries need and that are stored nowhere here (files from
    /// peers whose blocks have not arrived), with their plaintext sizes.
    /// </summary>
    public IReadOnlyList<WantedBlock> ReadWantedBlocks(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return Run(ReadWantedBlocksSql, 1, command =>
        {
            command.Parameters[0].Value = max;
            using var reader = command.ExecuteReader();
            var wanted = new List<WantedBlock>();
            while (reader.Read())
            {
                wanted.Add(new WantedBlock(ReadId(reader, 0), reader.GetInt32(1)));
            }

            return (IReadOnlyList<WantedBlock>)wanted;
        });
    }

    /// <summary>The plaintext size of block <paramref name="id"/> when the catalogue knows the block, else null.</summary>
    public int? ReadPlainSize(BlockId id) => Run("SELECT plain_size FROM blocks WHERE id = $p0", 1, command =>
    {
        SetId(command, 0, id);
        return command.ExecuteScalar() is long size ? (int?)size : null;
    });

    /// <summary>How many blocks entries need that are stored nowhere here (see <see cref="ReadWantedBlocks"/>).</summary>
    public long CountWantedBlocks() => Run(CountWantedBlocksSql, 0, command => (long)command.ExecuteScalar()!);

    private VersionVector ReadDeviceVector(string sql) => Run(sql, 0, command =>
    {
        using var reader = command.ExecuteReader();
        var entries = new List<KeyValuePair<DeviceId, ulong>>();
        var bytes = new byte[DeviceId.Length];
        while (reader.Read())
        {
            reader.GetBytes(0, 0, bytes, 0, bytes.Length);
            entries.Add(new(DeviceId.FromHash(Hash256.FromBytes(bytes)), (ulong)reader.GetInt64(1)));
        }

        return VersionVector.From(entries);
    });
}

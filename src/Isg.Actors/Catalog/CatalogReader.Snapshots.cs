using System.Globalization;
using Isg.Protocol.Hashing;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>Snapshots: listing them, reading their entries and manifests, and comparing their block sets.</summary>
public sealed partial class CatalogReader
{
    private const string SnapshotListColumns = "id, name, root, parent, created_at, file_count, total_size, block_count";

    // The same columns as FileColumns, so ReadEntry reads both: snapshot entries have id 0 (they are not files
    // rows) and the snapshot's creation time as their added time.
    private const string SnapshotFileColumns =
        "0, path, kind, size, mode, mtime_ns, link_target, merkle_root, block_count, (SELECT created_at FROM snapshots WHERE id = $p0)";

    private const string ListSnapshotsSql = $"SELECT {SnapshotListColumns} FROM snapshots ORDER BY id";
    private const string SnapshotByIdSql = $"SELECT {SnapshotListColumns} FROM snapshots WHERE id = $p0";
    private const string SnapshotByNameSql = $"SELECT {SnapshotListColumns} FROM snapshots WHERE name = $p0";
    private const string SnapshotFileSql = $"SELECT {SnapshotFileColumns} FROM snapshot_files WHERE snapshot_id = $p0 AND path = $p1";
    private const string SnapshotAllFilesSql = $"SELECT {SnapshotFileColumns} FROM snapshot_files WHERE snapshot_id = $p0 ORDER BY path";
    private const string SnapshotPrefixFilesSql = $"""
        SELECT {SnapshotFileColumns} FROM snapshot_files WHERE snapshot_id = $p0 AND path = $p1
        UNION ALL
        SELECT {SnapshotFileColumns} FROM snapshot_files WHERE snapshot_id = $p0 AND path >= $p2 AND path < $p3
        ORDER BY 2
        """;
    private const string SnapshotManifestSql = "SELECT manifest FROM snapshot_files WHERE snapshot_id = $p0 AND path = $p1";

    // A side of a block comparison: a snapshot's blocks, or (for a null id) the live catalogue's.
    private const string SnapshotBlocksOf = "SELECT block_id FROM snapshot_blocks WHERE snapshot_id = {0}";
    private const string LiveBlocks = "SELECT block_id FROM file_blocks";

    /// <summary>Every snapshot, oldest first (by id).</summary>
    public IReadOnlyList<SnapshotInfo> ListSnapshots() => Run(ListSnapshotsSql, 0, command =>
    {
        var snapshots = new List<SnapshotInfo>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            snapshots.Add(ReadSnapshotRow(reader));
        }

        return snapshots;
    });

    /// <summary>
    /// The snapshot named by <paramref name="idOrName"/>: all digits is an id (names never are), anything else a
    /// name. Null when there is none.
    /// </summary>
    public SnapshotInfo? FindSnapshot(string idOrName)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrName);
        var byId = idOrName.All(char.IsAsciiDigit);
        if (byId && !long.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return null;
        }

        return Run(byId ? SnapshotByIdSql : SnapshotByNameSql, 1, command =>
        {
            command.Parameters[0].Value = byId ? long.Parse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture) : idOrName;
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadSnapshotRow(reader) : null;
        });
    }

    /// <summary>The snapshot's entry at exactly <paramref name="path"/>, or null. Its id is 0; its added time is the snapshot's.</summary>
    public FileEntry? GetSnapshotFile(long snapshotId, string path)
    {
        CatalogPaths.Validate(path, nameof(path));
        return Run(SnapshotFileSql, 2, command =>
        {
            command.Parameters[0].Value = snapshotId;
            command.Parameters[1].Value = path;
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadEntry(reader) : null;
        });
    }

    /// <summary>
    /// Streams the snapshot's entries at and below <paramref name="prefix"/> in path order, like
    /// <see cref="ListFiles"/>; empty for an unknown snapshot. Entries have id 0: read blocks from the manifest.
    /// </summary>
    public IEnumerable<FileEntry> ListSnapshotFiles(long snapshotId, string prefix)
    {
        CatalogPaths.ValidatePrefix(prefix, nameof(prefix));
        ObjectDisposedException.ThrowIf(_disposed, this);
        return prefix.Length == 0
            ? Stream(SnapshotAllFilesSql, 1, static (command, a) => command.Parameters[0].Value = a.Id, ReadEntryOf, (Id: snapshotId, Prefix: prefix))
            : Stream(SnapshotPrefixFilesSql, 4, static (command, a) =>
            {
                command.Parameters[0].Value = a.Id;
                command.Parameters[1].Value = a.Prefix;
                command.Parameters[2].Value = CatalogPaths.DescendantsLowerBound(a.Prefix);
                command.Parameters[3].Value = CatalogPaths.DescendantsUpperBound(a.Prefix);
            }, ReadEntryOf, (Id: snapshotId, Prefix: prefix));
    }

    /// <summary>The manifest bytes of the snapshot's entry at <paramref name="path"/>, or null.</summary>
    public byte[]? GetSnapshotManifest(long snapshotId, string path) => Run(SnapshotManifestSql, 2, command =>
    {
        command.Parameters[0].Value = snapshotId;
        command.Parameters[1].Value = path;
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetFieldValue<byte[]>(0) : null;
    });

    /// <summary>
    /// Compares the distinct blocks of snapshot <paramref name="from"/> with those of <paramref name="to"/> (null:
    /// the live catalogue): how many blocks, and plaintext bytes, only the second has (added) and only the first
    /// has (removed). Scans both block sets.
    /// </summary>
    public BlockSetChange CompareBlocks(long from, long? to)
    {
        var a = string.Format(CultureInfo.InvariantCulture, SnapshotBlocksOf, "$p0");
        var b = to is null ? LiveBlocks : string.Format(CultureInfo.InvariantCulture, SnapshotBlocksOf, "$p1");
        var sql = $"""
            WITH a (id) AS ({a}), b (id) AS ({b})
            SELECT
                (SELECT count(*) FROM blocks WHERE id IN (SELECT id FROM b) AND id NOT IN (SELECT id FROM a)),
                (SELECT coalesce(sum(plain_size), 0) FROM blocks WHERE id IN (SELECT id FROM b) AND id NOT IN (SELECT id FROM a)),
                (SELECT count(*) FROM blocks WHERE id IN (SELECT id FROM a) AND id NOT IN (SELECT id FROM b)),
                (SELECT coalesce(sum(plain_size), 0) FROM blocks WHERE id IN (SELECT id FROM a) AND id NOT IN (SELECT id FROM b))
            """;
        return Run(sql, to is null ? 1 : 2, command =>
        {
            command.Parameters[0].Value = from;
            if (to is { } second)
            {
                command.Parameters[1].Value = second;
            }

            using var reader = command.ExecuteReader();
            reader.Read();
            return new BlockSetChange(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        });
    }

    private SnapshotInfo ReadSnapshotRow(SqliteDataReader reader)
    {
        reader.GetBytes(2, 0, _idBuffer, 0, _idBuffer.Length);
        return new SnapshotInfo(
            reader.GetInt64(0),
            reader.GetString(1),
            Hash256.FromBytes(_idBuffer),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            reader.GetInt64(5),
            reader.GetInt64(6),
            reader.GetInt64(7));
    }
}

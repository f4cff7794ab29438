using Isg.Protocol.Hashing;
using Isg.Protocol.Merkle;

namespace Isg.Actors.Catalog;

/// <summary>Snapshots: creation and deletion, each one transaction of pure SQL over block references.</summary>
public sealed partial class CatalogWriter
{
    private const string SnapshotColumns = "id, name, root, parent, created_at, file_count, total_size, block_count";

    private SnapshotStatements? _snapshotStatements;

    /// <summary>
    /// Records the live catalogue as a new snapshot named <paramref name="name"/>, in one transaction: every entry's
    /// row and manifest, and one reference per distinct block (which raises its refcount, so neither rm nor gc
    /// frees it). No block is copied. Its parent is the newest snapshot. Throws
    /// <see cref="SnapshotNameTakenException"/> for a name in use and <see cref="ArgumentException"/> for an invalid one.
    /// </summary>
    public SnapshotInfo CreateSnapshot(string name)
    {
        if (SnapshotNames.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        var statements = _snapshotStatements ??= new SnapshotStatements(this);
        return InTransaction(() =>
        {
            statements.FindByName.Bind(1, name);
            var taken = statements.FindByName.Step();
            statements.FindByName.Reset();
            if (taken)
            {
                throw new SnapshotNameTakenException(name);
            }

            long? parent = null;
            if (statements.Newest.Step() && !statements.Newest.IsNull(0))
            {
                parent = statements.Newest.Int64(0);
            }

            statements.Newest.Reset();

            var merkle = new MerkleTreeBuilder();
            long size = 0;
            try
            {
                var leaves = statements.Leaves;
                while (leaves.Step())
                {
                    // The entry's stored tree hash where the row has one (schema v11), else hashed from its columns.
                    merkle.AppendHashedLeaf(_database.HasLeafHashes && !leaves.IsNull(7)
                        ? Hash256.FromBytes(leaves.Blob(7))
                        : CatalogLeafHashes.Compute(leaves.Text(0), (FileKind)leaves.Int32(1), leaves.Int64(2), leaves.Int32(3), leaves.Int64(4),
                            leaves.IsNull(5) ? null : leaves.Text(5), Hash256.FromBytes(leaves.Blob(6))));
                    if (leaves.Int32(1) == (int)FileKind.File)
                    {
                        size += leaves.Int64(2);
                    }
                }
            }
            finally
            {
                statements.Leaves.Reset();
            }

            var root = merkle.ComputeRoot();
            Span<byte> rootBytes = stackalloc byte[Hash256.Length];
            root.WriteTo(rootBytes);
            var now = _database.NowUnixMilliseconds();
            var insert = statements.Insert;
            insert.Bind(1, name);
            insert.Bind(2, rootBytes);
            if (parent is { } p)
            {
                insert.Bind(3, p);
            }
            else
            {
                insert.BindNull(3);
            }

            insert.Bind(4, now);
            var files = (long)merkle.Count;
            insert.Bind(5, files);
            insert.Bind(6, size);
            insert.Execute();
            var id = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);

            statements.CopyFiles.Bind(1, id);
            statements.CopyFiles.Execute();
            statements.CopyBlocks.Bind(1, id);
            var blocks = statements.CopyBlocks.Execute();
            statements.SetBlockCount.Bind(1, id);
            statements.SetBlockCount.Bind(2, blocks);
            statements.SetBlockCount.Execute();
            return new SnapshotInfo(id, name, root, parent, DateTimeOffset.FromUnixTimeMilliseconds(now), files, size, blocks);
        });
    }

    /// <summary>
    /// Deletes the snapshots in <paramref name="ids"/> in one transaction; unknown ids are skipped. Each one's
    /// children take its parent, so the history stays a tree. Its block references are released: blocks nothing
    /// else references stay recorded at refcount 0 for garbage collection (no object is deleted here).
    /// </summary>
    public SnapshotsRemoval DeleteSnapshots(IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var statements = _snapshotStatements ??= new SnapshotStatements(this);
        return InTransaction(() =>
        {
            var deleted = new List<SnapshotInfo>();
            foreach (var id in ids.Distinct())
            {
                statements.FindById.Bind(1, id);
                SnapshotInfo? info = null;
                try
                {
                    if (statements.FindById.Step())
                    {
                        info = ReadSnapshot(statements.FindById);
                    }
                }
                finally
                {
                    statements.FindById.Reset();
                }

                if (info is null)
                {
                    continue;
                }

                foreach (var statement in (ReadOnlySpan<SqliteStatement>)[statements.CollectBlocks, statements.Reparent, statements.Delete])
                {
                    statement.Bind(1, id);
                    statement.Execute();
                }

                deleted.Add(info);
            }

            long blocks = 0;
            long bytes = 0;
            if (statements.CountReleased.Step())
            {
                blocks = statements.CountReleased.Int64(0);
                bytes = statements.CountReleased.Int64(1);
            }

            statements.CountReleased.Reset();
            _clearReleased.Execute();
            return new SnapshotsRemoval(deleted, blocks, bytes);
        });
    }

    private static SnapshotInfo ReadSnapshot(SqliteStatement row) => new(
        row.Int64(0),
        row.Text(1),
        Hash256.FromBytes(row.Blob(2)),
        row.IsNull(3) ? null : row.Int64(3),
        DateTimeOffset.FromUnixTimeMilliseconds(row.Int64(4)),
        row.Int64(5),
        row.Int64(6),
        row.Int64(7));

    // Prepared on first use, so a writer that never touches snapshots pays nothing.
    private sealed class SnapshotStatements(CatalogWriter writer)
    {
        public SqliteStatement FindByName { get; } = writer.Prepare("SELECT 1 FROM snapshots WHERE name = ?1");

        public SqliteStatement FindById { get; } = writer.Prepare($"SELECT {SnapshotColumns} FROM snapshots WHERE id = ?1");

        public SqliteStatement Newest { get; } = writer.Prepare("SELECT max(id) FROM snapshots");

        // In path order, the order of the catalogue's Merkle leaves; with each entry's stored tree hash from v11 on.
        public SqliteStatement Leaves { get; } = writer.Prepare(
            $"SELECT path, kind, size, mode, mtime_ns, link_target, merkle_root{(writer._database.HasLeafHashes ? ", leaf_hash" : "")} FROM files ORDER BY path");

        public SqliteStatement Insert { get; } = writer.Prepare("""
            INSERT INTO snapshots (name, root, parent, created_at, file_count, total_size, block_count)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
            """);

        public SqliteStatement CopyFiles { get; } = writer.Prepare("""
            INSERT INTO snapshot_files (snapshot_id, path, kind, size, mode, mtime_ns, link_target, merkle_root, block_count, manifest)
            SELECT ?1, f.path, f.kind, f.size, f.mode, f.mtime_ns, f.link_target, f.merkle_root, f.block_count, m.manifest
            FROM files f JOIN file_manifests m ON m.file_id = f.id
            """);

        // Inserting fires the reference trigger: one refcount per snapshot per distinct block.
        public SqliteStatement CopyBlocks { get; } = writer.Prepare(
            "INSERT INTO snapshot_blocks (snapshot_id, block_id) SELECT DISTINCT ?1, block_id FROM file_blocks");

        public SqliteStatement SetBlockCount { get; } = writer.Prepare("UPDATE snapshots SET block_count = ?2 WHERE id = ?1");

        public SqliteStatement CollectBlocks { get; } = writer.Prepare(
            "INSERT OR IGNORE INTO temp.released (id) SELECT block_id FROM snapshot_blocks WHERE snapshot_id = ?1");

        public SqliteStatement Reparent { get; } = writer.Prepare(
            "UPDATE snapshots SET parent = (SELECT parent FROM snapshots WHERE id = ?1) WHERE parent = ?1");

        // Cascades to snapshot_files and snapshot_blocks; the latter's release trigger lowers refcounts.
        public SqliteStatement Delete { get; } = writer.Prepare("DELETE FROM snapshots WHERE id = ?1");

        public SqliteStatement CountReleased { get; } = writer.Prepare("""
            SELECT count(*), coalesce(sum(plain_size), 0) FROM blocks
            WHERE refcount = 0 AND id IN (SELECT id FROM temp.released)
            """);
    }
}

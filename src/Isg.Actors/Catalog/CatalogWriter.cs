using Isg.Protocol.Hashing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Catalog;

/// <summary>
/// The catalogue's only writer: one connection and prepared statements reused across calls. Not thread-safe:
/// the catalogue actor owns it and calls it from one message at a time. Every mutating call is one transaction,
/// durable (synchronous=FULL) when it returns; on any exception it is rolled back completely.
/// </summary>
public sealed partial class CatalogWriter : IDisposable
{
    // Access-log rows are buffered and written in one transaction once this many are pending.
    private const int AccessLogBatch = 256;

    // SQLITE_CONSTRAINT_FOREIGNKEY: a file_blocks row named a block that is not in blocks.
    private const int SqliteConstraintForeignKey = 787;

    private readonly CatalogDatabase _database;
    private readonly SqliteConnection _connection;
    private readonly string _path;

    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _insertBlock;
    private readonly SqliteStatement _upsertChunk;
    private readonly SqliteStatement _findFile;
    private readonly SqliteStatement _collectFileBlocks;
    private readonly SqliteStatement _deleteFileBlocks;
    private readonly SqliteStatement _deleteManifest;
    private readonly SqliteStatement _deleteFile;
    private readonly SqliteStatement _insertFile;
    private readonly SqliteStatement _insertManifest;
    private readonly SqliteStatement _insertFileBlock;
    private readonly SqliteStatement _readReleased;
    private readonly SqliteStatement _dropUnstoredReleased;
    private readonly SqliteStatement _clearReleased;
    private readonly SqliteStatement _insertAccess;
    private readonly SqliteStatement _setConfig;
    private readonly SqliteStatement _forgetChunks;
    private readonly SqliteStatement _forgetBlock;
    private readonly List<SqliteStatement> _statements = [];

    private readonly List<PendingAccess> _pendingAccess = [];
    private RemoveStatements? _removeExact;
    private RemoveStatements? _removeSubtree;
    private RemoveStatements? _removeAll;
    private bool _disposed;

    internal CatalogWriter(CatalogDatabase database, SqliteConnection connection)
    {
        _database = database;
        _connection = connection;
        _path = database.Path;

        // Blocks released by the current transaction; per connection, rolled back with it.
        connection.Execute("CREATE TEMP TABLE IF NOT EXISTS released (id BLOB PRIMARY KEY) WITHOUT ROWID");

        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _insertBlock = Prepare("""
            INSERT INTO blocks (id, plain_size, stored_size, compression, refcount, created_at)
            VALUES (?1, ?2, ?3, ?4, 0, ?5)
            ON CONFLICT (id) DO NOTHING
            """);
        _upsertChunk = Prepare("""
            INSERT INTO chunks (block_id, backend, object_name, stored_at, verified_at)
            VALUES (?1, ?2, ?3, ?4, NULL)
            ON CONFLICT (block_id, backend) DO UPDATE
                SET object_name = excluded.object_name, stored_at = excluded.stored_at, verified_at = NULL
            """);
        _findFile = Prepare("SELECT id FROM files WHERE path = ?1");
        _collectFileBlocks = Prepare("INSERT OR IGNORE INTO temp.released (id) SELECT block_id FROM file_blocks WHERE file_id = ?1");
        // Deleting file_blocks rows fires the release trigger, which decrements refcounts.
        _deleteFileBlocks = Prepare("DELETE FROM file_blocks WHERE file_id = ?1");
        _deleteManifest = Prepare("DELETE FROM file_manifests WHERE file_id = ?1");
        _deleteFile = Prepare("DELETE FROM files WHERE id = ?1");
        // Schema v11 keeps each entry's tree hash (CatalogLeafHashes). A catalogue opened at an older version (tests of
        // the migrations do that) gets rows without it, which the root then hashes from their columns.
        var leafHash = database.HasLeafHashes ? (Column: ", leaf_hash", Value: ", ?10") : (Column: "", Value: "");
        _insertFile = Prepare($"""
            INSERT INTO files (path, kind, size, mode, mtime_ns, link_target, merkle_root, block_count, added_at{leafHash.Column})
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9{leafHash.Value})
            """);
        _insertManifest = Prepare("INSERT INTO file_manifests (file_id, manifest) VALUES (?1, ?2)");
        // Inserting fires the reference trigger, which increments the block's refcount.
        _insertFileBlock = Prepare("INSERT INTO file_blocks (file_id, seq, block_id, \"offset\", length) VALUES (?1, ?2, ?3, ?4, ?5)");
        _readReleased = Prepare("""
            SELECT b.id, b.plain_size, b.stored_size, b.compression, c.backend, c.object_name
            FROM temp.released r
            JOIN blocks b ON b.id = r.id
            JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
            WHERE b.refcount = 0
            ORDER BY b.id, c.backend
            """);
        // A released block stored nowhere needs no store deletion: forget it at once.
        _dropUnstoredReleased = Prepare("""
            DELETE FROM blocks
            WHERE refcount = 0
              AND id IN (SELECT id FROM temp.released)
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.block_id = blocks.id)
            """);
        _clearReleased = Prepare("DELETE FROM temp.released");
        _insertAccess = Prepare("INSERT INTO access_log (block_id, file_id, kind, at) VALUES (?1, ?2, ?3, ?4)");
        _setConfig = Prepare("""
            INSERT INTO config (key, value) VALUES (?1, ?2)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """);
        _forgetChunks = Prepare(
            "DELETE FROM chunks WHERE block_id = ?1 AND is_parity = 0 AND EXISTS (SELECT 1 FROM blocks WHERE id = ?1 AND refcount = 0 AND stripe_id IS NULL)");
        _forgetBlock = Prepare("DELETE FROM blocks WHERE id = ?1 AND refcount = 0 AND stripe_id IS NULL");
    }

    /// <summary>The writer's connection, for tests that hook SQLite directly.</summary>
    internal SqliteConnection Connection => _connection;

    /// <summary>
    /// Records <paramref name="files"/> in ONE transaction. First <paramref name="newBlocks"/> are inserted (a block
    /// already present is kept as is) and each one's location is recorded (replacing an earlier location on the same
    /// backend); then each file replaces any entry at its path (releasing the old version's blocks) and takes one
    /// reference per block row. Call only after the blocks are durable on their backends (FlushAsync).
    /// Returns the locations of blocks whose last reference was a replaced version (refcount now 0); their rows stay
    /// for garbage collection. A later file with the same path in the same list
    /// replaces an earlier one. Throws <see cref="CatalogException"/> (Constraint when a file names a block that is
    /// neither in the catalogue nor in <paramref name="newBlocks"/>) and <see cref="ArgumentException"/> for
    /// invalid paths or block layouts; nothing is written then.
    /// </summary>
    public IReadOnlyList<StoredBlock> Commit(IReadOnlyList<FileCommit> files, IReadOnlyList<StoredBlock> newBlocks) =>
        Commit(files, newBlocks, []);

    /// <summary>
    /// <see cref="Commit(IReadOnlyList{FileCommit}, IReadOnlyList{StoredBlock})"/>, and in the same transaction records
    /// <paramref name="stripes"/> after the new blocks: a stripe row, its data blocks' stripe_id and stripe_index, and
    /// its parity chunks. A stripe whose data blocks are not all in the catalogue by then (their commit failed) or
    /// already belong to a stripe is skipped and logged: its blocks stay unprotected, its parity objects are orphans
    /// for garbage collection. Parity objects must be durable before the call, like blocks.
    /// </summary>
    public IReadOnlyList<StoredBlock> Commit(IReadOnlyList<FileCommit> files, IReadOnlyList<StoredBlock> newBlocks, IReadOnlyList<SealedStripe> stripes)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(newBlocks);
        ArgumentNullException.ThrowIfNull(stripes);
        for (var i = 0; i < stripes.Count; i++)
        {
            Validate(stripes[i], i);
        }

        for (var i = 0; i < files.Count; i++)
        {
            Validate(files[i], i);
        }

        for (var i = 0; i < newBlocks.Count; i++)
        {
            Validate(newBlocks[i], i);
        }

        return InTransaction(() =>
        {
            var now = _database.NowUnixMilliseconds();
            for (var i = 0; i < newBlocks.Count; i++)
            {
                InsertBlock(newBlocks[i], now);
            }

            for (var i = 0; i < stripes.Count; i++)
            {
                InsertStripe(stripes[i], now);
            }

            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                _findFile.Bind(1, file.Path);
                var oldId = _findFile.Step() ? _findFile.Int64(0) : -1;
                _findFile.Reset();
                if (oldId >= 0)
                {
                    Release(oldId);
                }

                InsertFile(file, now);
                LogLocalWrite(file.Path, CrdtVersions.FromCommit(file), removedInBatch: null);
            }

            WritePendingAccess();
            return TakeReleased();
        }, onCommitted: _pendingAccess.Clear);
    }

    /// <summary>
    /// Removes the entry at <paramref name="pathOrPrefix"/> and, when <paramref name="recursive"/>, every entry below
    /// it ("dir" removes "dir" and "dir/…", never "dirx/…"; "" with recursive removes everything), in one
    /// transaction. Returns every location of the blocks whose refcount reached 0 (striped or not); their rows stay,
    /// for garbage collection to delete objects and rows under the repository's exclusive lock. Removing a path that does not exist returns an empty list.
    /// </summary>
    public IReadOnlyList<StoredBlock> RemoveFiles(string pathOrPrefix, bool recursive)
    {
        if (recursive)
        {
            CatalogPaths.ValidatePrefix(pathOrPrefix, nameof(pathOrPrefix));
        }
        else
        {
            CatalogPaths.Validate(pathOrPrefix, nameof(pathOrPrefix));
        }

        return InTransaction(() =>
        {
            RemoveStatements statements;
            if (!recursive)
            {
                statements = _removeExact ??= PrepareRemove("path = ?1");
                statements.Bind(pathOrPrefix, null, null);
            }
            else if (pathOrPrefix.Length == 0)
            {
                // Every shape binds ?1; here it matches all (IS, since an empty string may bind as NULL).
                statements = _removeAll ??= PrepareRemove("?1 IS ?1");
                statements.Bind(pathOrPrefix, null, null);
            }
            else
            {
                statements = _removeSubtree ??= PrepareRemove("path = ?1 OR (path >= ?2 AND path < ?3)");
                statements.Bind(pathOrPrefix, CatalogPaths.DescendantsLowerBound(pathOrPrefix), CatalogPaths.DescendantsUpperBound(pathOrPrefix));
            }

            var removed = new List<string>();
            if (_database.Options.LocalDevice is not null)
            {
                while (statements.Paths.Step())
                {
                    removed.Add(statements.Paths.Text(0));
                }

                statements.Paths.Reset();
            }

            foreach (var statement in statements.Deletes)
            {
                statement.Execute();
            }

            var batch = removed.ToHashSet(StringComparer.Ordinal);
            foreach (var path in removed)
            {
                LogLocalWrite(path, null, batch);
            }

            return TakeReleased();
        });
    }

    /// <summary>
    /// Deletes the rows (block and all its locations) of each block in <paramref name="ids"/> that still has
    /// refcount 0 and is in no stripe, in one transaction; a block referenced again since it was released is kept.
    /// Deleting the objects is then the caller's job (rows first, objects after: never a row naming nothing). Returns how many blocks were forgotten. Idempotent.
    /// </summary>
    public int ForgetBlocks(IEnumerable<BlockId> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return InTransaction(() =>
        {
            var forgotten = 0;
            Span<byte> buffer = stackalloc byte[Hash256.Length];
            foreach (var id in ids)
            {
                id.WriteTo(buffer);
                _forgetChunks.Bind(1, buffer);
                _forgetChunks.Execute();
                _forgetBlock.Bind(1, buffer);
                forgotten += _forgetBlock.Execute();
            }

            return forgotten;
        });
    }

    /// <summary>Sets a configuration value (inserting or replacing), durably.</summary>
    public void SetConfig(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        InTransaction(() =>
        {
            _setConfig.Bind(1, key);
            _setConfig.Bind(2, value);
            return _setConfig.Execute();
        });
    }

    /// <summary>
    /// Appends an access-log row for a block and/or file (at least one), stamped now. Buffered: rows are written
    /// with the next <see cref="Commit"/>, every 256 rows, on <see cref="FlushAccessLog"/> and on Dispose; a crash
    /// loses the unwritten ones, which is acceptable for access statistics.
    /// </summary>
    public void LogAccess(AccessKind kind, BlockId? blockId, long? fileId)
    {
        if (blockId is null && fileId is null)
        {
            throw new ArgumentException("an access names a block, a file or both");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        _pendingAccess.Add(new PendingAccess(kind, blockId, fileId, _database.NowUnixMilliseconds()));
        if (_pendingAccess.Count >= AccessLogBatch)
        {
            FlushAccessLog();
        }
    }

    /// <summary>Writes buffered access-log rows in one transaction. No-op when none are pending.</summary>
    public void FlushAccessLog()
    {
        if (_pendingAccess.Count == 0)
        {
            return;
        }

        InTransaction(() =>
        {
            WritePendingAccess();
            return 0;
        }, onCommitted: _pendingAccess.Clear);
    }

    /// <summary>Writes pending access-log rows (a failure is logged, not thrown) and closes the connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            FlushAccessLog();
        }
        catch (CatalogException e)
        {
            _database.Options.Logger.LogWarning(e, "Catalogue {Path}: dropped {Count} access-log rows on close", _path, _pendingAccess.Count);
        }

        _disposed = true;
        foreach (var statement in _statements)
        {
            statement.Dispose();
        }

        _connection.Dispose();
    }

    private T InTransaction<T>(Func<T> body, Action? onCommitted = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            _begin.Execute();
            T result;
            try
            {
                result = body();
                _commit.Execute();
            }
            catch
            {
                Rollback();
                throw;
            }

            onCommitted?.Invoke();
            return result;
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            throw CatalogErrors.Map(e, _path);
        }
    }

    private void Rollback()
    {
        try
        {
            _connection.RollbackIfActive();
        }
        catch (SqliteException e)
        {
            // The original failure is what the caller needs; a failed rollback leaves SQLite to roll back on reopen.
            _database.Options.Logger.LogError(e, "Catalogue {Path}: rollback failed", _path);
        }
    }

    private SqliteStatement Prepare(string sql)
    {
        var statement = new SqliteStatement(_connection, sql);
        _statements.Add(statement);
        return statement;
    }

    private void InsertBlock(StoredBlock block, long now)
    {
        Span<byte> id = stackalloc byte[Hash256.Length];
        block.Id.WriteTo(id);
        _insertBlock.Bind(1, id);
        _insertBlock.Bind(2, block.PlainSize);
        _insertBlock.Bind(3, block.StoredSize);
        _insertBlock.Bind(4, block.Compression);
        _insertBlock.Bind(5, now);
        _insertBlock.Execute();

        _upsertChunk.Bind(1, id);
        _upsertChunk.Bind(2, block.Backend);
        _upsertChunk.Bind(3, block.ObjectName);
        _upsertChunk.Bind(4, now);
        _upsertChunk.Execute();
    }

    private void Release(long fileId)
    {
        foreach (var statement in (ReadOnlySpan<SqliteStatement>)[_collectFileBlocks, _deleteFileBlocks, _deleteManifest, _deleteFile])
        {
            statement.Bind(1, fileId);
            statement.Execute();
        }
    }

    private void InsertFile(FileCommit file, long now)
    {
        Span<byte> hash = stackalloc byte[Hash256.Length];
        file.MerkleRoot.WriteTo(hash);
        _insertFile.Bind(1, file.Path);
        _insertFile.Bind(2, (int)file.Kind);
        _insertFile.Bind(3, file.Size);
        _insertFile.Bind(4, file.Mode);
        _insertFile.Bind(5, file.MtimeUnixNs);
        _insertFile.Bind(6, file.LinkTarget);
        _insertFile.Bind(7, hash);
        _insertFile.Bind(8, file.Blocks.Count);
        _insertFile.Bind(9, now);
        if (_database.HasLeafHashes)
        {
            Span<byte> leafHash = stackalloc byte[Hash256.Length];
            CatalogLeafHashes.Compute(file.Path, file.Kind, file.Size, file.Mode, file.MtimeUnixNs, file.LinkTarget, file.MerkleRoot).WriteTo(leafHash);
            _insertFile.Bind(10, leafHash);
        }

        _insertFile.Execute();
        var fileId = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);

        _insertManifest.Bind(1, fileId);
        _insertManifest.Bind(2, file.Manifest);
        _insertManifest.Execute();

        _insertFileBlock.Bind(1, fileId);
        for (var i = 0; i < file.Blocks.Count; i++)
        {
            var block = file.Blocks[i];
            block.Id.WriteTo(hash);
            _insertFileBlock.Bind(2, block.Seq);
            _insertFileBlock.Bind(3, hash);
            _insertFileBlock.Bind(4, block.Offset);
            _insertFileBlock.Bind(5, block.Length);
            try
            {
                _insertFileBlock.Execute();
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintForeignKey)
            {
                throw new CatalogException(CatalogErrorKind.Constraint, _path,
                    $"file '{file.Path}' block {block.Seq} is {block.Id.ToHex()}, which is neither in the catalogue nor among the new blocks", e);
            }
        }
    }

    private List<StoredBlock> TakeReleased()
    {
        var released = new List<StoredBlock>();
        try
        {
            while (_readReleased.Step())
            {
                released.Add(new StoredBlock(BlockId.FromBytes(_readReleased.Blob(0)), _readReleased.Int32(1), _readReleased.Int32(2),
                    _readReleased.Int32(3), _readReleased.Text(4), _readReleased.Text(5)));
            }
        }
        finally
        {
            _readReleased.Reset();
        }

        _dropUnstoredReleased.Execute();
        _clearReleased.Execute();
        return released;
    }

    private void WritePendingAccess()
    {
        Span<byte> id = stackalloc byte[Hash256.Length];
        foreach (var access in _pendingAccess)
        {
            if (access.BlockId is { } block)
            {
                block.WriteTo(id);
                _insertAccess.Bind(1, id);
            }
            else
            {
                _insertAccess.BindNull(1);
            }

            if (access.FileId is { } file)
            {
                _insertAccess.Bind(2, file);
            }
            else
            {
                _insertAccess.BindNull(2);
            }

            _insertAccess.Bind(3, (int)access.Kind);
            _insertAccess.Bind(4, access.AtUnixMilliseconds);
            _insertAccess.Execute();
        }
    }

    private RemoveStatements PrepareRemove(string match) => new(
        Prepare($"SELECT path FROM files WHERE {match} ORDER BY path"),
        [
            // Collect the blocks of every matching file, then delete their block rows (the trigger releases the
            // references), their manifests and the files themselves.
            Prepare($"INSERT OR IGNORE INTO temp.released (id) SELECT block_id FROM file_blocks WHERE file_id IN (SELECT id FROM files WHERE {match})"),
            Prepare($"DELETE FROM file_blocks WHERE file_id IN (SELECT id FROM files WHERE {match})"),
            Prepare($"DELETE FROM file_manifests WHERE file_id IN (SELECT id FROM files WHERE {match})"),
            Prepare($"DELETE FROM files WHERE {match}"),
        ]);

    // The statements of one removal shape: list the matching paths, then delete. ?1 is the path; ?2 and ?3, when the
    // shape has them, bound a subtree.
    private sealed record RemoveStatements(SqliteStatement Paths, SqliteStatement[] Deletes)
    {
        public void Bind(string path, string? lower, string? upper)
        {
            foreach (var statement in Deletes.Prepend(Paths))
            {
                statement.Bind(1, path);
                if (lower is not null)
                {
                    statement.Bind(2, lower);
                    statement.Bind(3, upper);
                }
            }
        }
    }

    private static void Validate(FileCommit file, int index)
    {
        ArgumentNullException.ThrowIfNull(file, $"files[{index}]");
        CatalogPaths.Validate(file.Path, $"files[{index}].Path");
        ArgumentNullException.ThrowIfNull(file.Manifest, $"files[{index}].Manifest");
        ArgumentNullException.ThrowIfNull(file.Blocks, $"files[{index}].Blocks");
        ArgumentOutOfRangeException.ThrowIfNegative(file.Size, $"files[{index}].Size");
        if (!Enum.IsDefined(file.Kind))
        {
            throw new ArgumentException($"'{file.Path}' has unknown kind {(int)file.Kind}", $"files[{index}].Kind");
        }

        if ((file.Kind == FileKind.Symlink) != (file.LinkTarget is not null))
        {
            throw new ArgumentException($"'{file.Path}': a symlink needs a link target and nothing else may have one", $"files[{index}].LinkTarget");
        }

        if (file.Kind != FileKind.File)
        {
            if (file.Blocks.Count != 0)
            {
                throw new ArgumentException($"'{file.Path}': a {file.Kind} has no blocks", $"files[{index}].Blocks");
            }

            return;
        }

        long offset = 0;
        for (var seq = 0; seq < file.Blocks.Count; seq++)
        {
            var block = file.Blocks[seq];
            if (block.Seq != seq || block.Offset != offset || block.Length < 0)
            {
                throw new ArgumentException(
                    $"'{file.Path}': block {seq} is (seq {block.Seq}, offset {block.Offset}, length {block.Length}); blocks must be numbered from 0 and tile the file",
                    $"files[{index}].Blocks");
            }

            offset += block.Length;
        }

        if (offset != file.Size)
        {
            throw new ArgumentException($"'{file.Path}': blocks cover {offset} bytes but the size is {file.Size}", $"files[{index}].Blocks");
        }
    }

    private static void Validate(StoredBlock block, int index)
    {
        ArgumentNullException.ThrowIfNull(block, $"newBlocks[{index}]");
        ArgumentException.ThrowIfNullOrEmpty(block.Backend, $"newBlocks[{index}].Backend");
        ArgumentException.ThrowIfNullOrEmpty(block.ObjectName, $"newBlocks[{index}].ObjectName");
        ArgumentOutOfRangeException.ThrowIfNegative(block.PlainSize, $"newBlocks[{index}].PlainSize");
        ArgumentOutOfRangeException.ThrowIfNegative(block.StoredSize, $"newBlocks[{index}].StoredSize");
    }

    private readonly record struct PendingAccess(AccessKind Kind, BlockId? BlockId, long? FileId, long AtUnixMilliseconds);
}

using Isg.Protocol.Hashing;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>
/// Reads the catalogue on its own pooled, read-only connection. Not thread-safe: one per thread or request, and
/// dispose it. Each call sees whole commits only; several calls see one consistent state only inside
/// <see cref="BeginSnapshot"/>. Streaming results hold a read snapshot until enumerated to the end or disposed,
/// which keeps the WAL from being checkpointed: do not park an enumerator.
/// </summary>
public sealed partial class CatalogReader : IDisposable
{
    private const string FileColumns = "id, path, kind, size, mode, mtime_ns, link_target, merkle_root, block_count, added_at";

    // FindKnownBlocks asks for this many ids per statement; short batches repeat their last id.
    private const int KnownBlocksBatch = 64;

    private const string GetFileSql = $"SELECT {FileColumns} FROM files WHERE path = $p0";
    private const string ListAllSql = $"SELECT {FileColumns} FROM files ORDER BY path";

    // Two index seeks (the entry itself, then the range of its descendants) instead of one range over
    // [prefix, prefix + "0"), which would also walk siblings such as "dir.txt" or "dir-old/…".
    private const string ListPrefixSql = $"""
        SELECT {FileColumns} FROM files WHERE path = $p0
        UNION ALL
        SELECT {FileColumns} FROM files WHERE path >= $p1 AND path < $p2
        ORDER BY path
        """;

    private const string FileBlocksSql = "SELECT seq, block_id, \"offset\", length FROM file_blocks WHERE file_id = $p0 ORDER BY seq";
    private const string ManifestSql = "SELECT manifest FROM file_manifests WHERE file_id = $p0";
    private const string BlockSql = """
        SELECT b.plain_size, b.stored_size, b.compression, c.object_name
        FROM blocks b JOIN chunks c ON c.block_id = b.id
        WHERE b.id = $p0 AND c.backend = $p1 AND c.is_parity = 0
        """;
    private const string LocationsSql = """
        SELECT b.plain_size, b.stored_size, b.compression, c.backend, c.object_name
        FROM blocks b JOIN chunks c ON c.block_id = b.id
        WHERE b.id = $p0 AND c.is_parity = 0
        ORDER BY c.backend
        """;
    private const string HasBlockSql = "SELECT 1 FROM blocks WHERE id = $p0";
    private const string UnreferencedSql = """
        SELECT b.id, b.plain_size, b.stored_size, b.compression, c.backend, c.object_name
        FROM blocks b JOIN chunks c ON c.block_id = b.id
        WHERE b.refcount = 0
        ORDER BY b.id, c.backend
        LIMIT $p0
        """;
    private const string StatsSql = """
        SELECT
            (SELECT count(*) FROM files WHERE kind = 0),
            (SELECT count(*) FROM files WHERE kind = 1),
            (SELECT coalesce(sum(size), 0) FROM files WHERE kind = 0),
            (SELECT count(*) FROM blocks b WHERE EXISTS (SELECT 1 FROM file_blocks f WHERE f.block_id = b.id)),
            (SELECT coalesce(sum(plain_size), 0) FROM blocks b WHERE EXISTS (SELECT 1 FROM file_blocks f WHERE f.block_id = b.id)),
            (SELECT coalesce(sum(stored_size), 0) FROM blocks b WHERE EXISTS (SELECT 1 FROM file_blocks f WHERE f.block_id = b.id))
        """;
    private const string ConfigSql = "SELECT value FROM config WHERE key = $p0";

    private static readonly string s_knownBlocksSql =
        "SELECT id FROM blocks WHERE id IN (" +
        string.Join(", ", Enumerable.Range(0, KnownBlocksBatch).Select(i => "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) +
        ")";

    private readonly string _path;
    private readonly SqliteConnection _connection;

    // Idle prepared commands by SQL. A command is taken out while its reader is open, so nested calls (listing
    // files and reading each one's blocks) get a second command instead of clobbering the first.
    private readonly Dictionary<string, Stack<SqliteCommand>> _idle = new(StringComparer.Ordinal);
    private readonly byte[] _idBuffer = new byte[Hash256.Length];
    private readonly bool _hasLeafHashes;
    private Snapshot? _snapshot;
    private bool _disposed;

    internal CatalogReader(string path, SqliteConnection connection, bool hasLeafHashes)
    {
        _path = path;
        _connection = connection;
        _hasLeafHashes = hasLeafHashes;
    }

    /// <summary>The entry at exactly <paramref name="path"/>, or null.</summary>
    public FileEntry? GetFile(string path)
    {
        CatalogPaths.Validate(path, nameof(path));
        return Run(GetFileSql, 1, command =>
        {
            command.Parameters[0].Value = path;
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadEntry(reader) : null;
        });
    }

    /// <summary>
    /// Streams the entries at and below <paramref name="prefix"/> in path order (UTF-8 byte order, i.e. code point
    /// order): "dir" yields "dir" itself and "dir/…", never "dirx/…"; "" yields everything. Lazy: nothing is read
    /// until enumeration starts.
    /// </summary>
    public IEnumerable<FileEntry> ListFiles(string prefix)
    {
        CatalogPaths.ValidatePrefix(prefix, nameof(prefix));
        ObjectDisposedException.ThrowIf(_disposed, this);
        return prefix.Length == 0
            ? Stream(ListAllSql, 0, static (_, _) => { }, ReadEntryOf)
            : Stream(ListPrefixSql, 3, static (command, p) =>
            {
                command.Parameters[0].Value = p;
                command.Parameters[1].Value = CatalogPaths.DescendantsLowerBound(p);
                command.Parameters[2].Value = CatalogPaths.DescendantsUpperBound(p);
            }, ReadEntryOf, prefix);
    }

    /// <summary>Streams a file's blocks in seq order; empty for an unknown id, a directory or a symlink.</summary>
    public IEnumerable<FileBlock> GetFileBlocks(long fileId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Stream(FileBlocksSql, 1, static (command, id) => command.Parameters[0].Value = id, ReadFileBlock, fileId);
    }

    /// <summary>The file's manifest bytes as committed, or null for an unknown id.</summary>
    public byte[]? GetManifest(long fileId) => Run(ManifestSql, 1, command =>
    {
        command.Parameters[0].Value = fileId;
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetFieldValue<byte[]>(0) : null;
    });

    /// <summary>The block and where it is stored on <paramref name="backend"/>, or null when it is not stored there.</summary>
    public StoredBlock? GetBlock(BlockId id, string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        return Run(BlockSql, 2, command =>
        {
            SetId(command, 0, id);
            command.Parameters[1].Value = backend;
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new StoredBlock(id, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), backend, reader.GetString(3))
                : null;
        });
    }

    /// <summary>Every stored location of the block, ordered by backend name; empty when the catalogue does not hold it.</summary>
    public IReadOnlyList<StoredBlock> GetBlockLocations(BlockId id) => Run(LocationsSql, 1, command =>
    {
        SetId(command, 0, id);
        var locations = new List<StoredBlock>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            locations.Add(new StoredBlock(id, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4)));
        }

        return locations;
    });

    /// <summary>
    /// Whether the catalogue holds the block, referenced or not. A block of refcount 0 counts too: block rows and
    /// their objects are deleted only under the exclusive repository lock (RepositoryLock.ForRemoving), when no add
    /// runs, so a known block stays stored for the whole add that reuses it, and a block lives in one stripe only.
    /// </summary>
    public bool HasBlock(BlockId id) => Run(HasBlockSql, 1, command =>
    {
        SetId(command, 0, id);
        return command.ExecuteScalar() is not null;
    });

    /// <summary>The subset of <paramref name="ids"/> for which <see cref="HasBlock"/> is true, looked up 64 at a time.</summary>
    public IReadOnlySet<BlockId> FindKnownBlocks(IReadOnlyCollection<BlockId> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var known = new HashSet<BlockId>();
        if (ids.Count == 0)
        {
            return known;
        }

        return Run(s_knownBlocksSql, KnownBlocksBatch, command =>
        {
            foreach (var batch in ids.Chunk(KnownBlocksBatch))
            {
                for (var i = 0; i < KnownBlocksBatch; i++)
                {
                    SetId(command, i, batch[Math.Min(i, batch.Length - 1)]);
                }

                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    known.Add(ReadId(reader, 0));
                }
            }

            return known;
        });
    }

    /// <summary>
    /// Up to <paramref name="limit"/> locations of blocks with refcount 0: blocks released by rm, a replaced file or
    /// a deleted snapshot, waiting for garbage collection. Scans the blocks table: run it rarely.
    /// </summary>
    public IReadOnlyList<StoredBlock> FindUnreferencedBlocks(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Run(UnreferencedSql, 1, command =>
        {
            command.Parameters[0].Value = limit;
            var blocks = new List<StoredBlock>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                blocks.Add(new StoredBlock(ReadId(reader, 0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                    reader.GetString(4), reader.GetString(5)));
            }

            return blocks;
        });
    }

    /// <summary>
    /// Totals in one consistent read: regular files and directories (symlinks count in neither), the listed size of
    /// regular files, and the count, plaintext and stored bytes of the blocks live files reference (blocks only
    /// snapshots keep, and parity, are in <see cref="GetStorageUse"/>). Scans files and blocks.
    /// </summary>
    public CatalogStats GetStats() => Run(StatsSql, 0, command =>
    {
        using var reader = command.ExecuteReader();
        reader.Read();
        return new CatalogStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    });

    /// <summary>The configuration value for <paramref name="key"/>, or null when unset.</summary>
    public string? GetConfig(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Run(ConfigSql, 1, command =>
        {
            command.Parameters[0].Value = key;
            return command.ExecuteScalar() as string;
        });
    }

    /// <summary>
    /// Makes every read on this reader see one state of the catalogue until the returned scope is disposed, while
    /// the writer goes on committing. Not nestable. Keep it short: an open snapshot stops WAL checkpoints.
    /// </summary>
    public IDisposable BeginSnapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_snapshot is not null)
        {
            throw new InvalidOperationException("a snapshot is already open on this reader");
        }

        try
        {
            _connection.Execute("BEGIN");
            // The read transaction starts at the first read; pin it now so the snapshot is the state at this call.
            _connection.ScalarInt64("SELECT count(*) FROM (SELECT 1 FROM config LIMIT 1)");
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            _connection.RollbackIfActive();
            throw CatalogErrors.Map(e, _path);
        }

        _snapshot = new Snapshot(this);
        return _snapshot;
    }

    /// <summary>Ends any open snapshot and returns the connection to the pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        EndSnapshot();
        foreach (var stack in _idle.Values)
        {
            foreach (var command in stack)
            {
                command.Dispose();
            }
        }

        _idle.Clear();
        _connection.Dispose();
    }

    private void EndSnapshot()
    {
        if (_snapshot is null)
        {
            return;
        }

        _snapshot = null;
        try
        {
            _connection.RollbackIfActive();
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            throw CatalogErrors.Map(e, _path);
        }
    }

    private T Run<T>(string sql, int parameterCount, Func<SqliteCommand, T> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = Rent(sql, parameterCount);
        try
        {
            return body(command);
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            throw CatalogErrors.Map(e, _path);
        }
        finally
        {
            Return(sql, command);
        }
    }

    private IEnumerable<TItem> Stream<TItem>(string sql, int parameterCount, Action<SqliteCommand, string> bind, Func<CatalogReader, SqliteDataReader, TItem> read, string argument = "") =>
        Stream<TItem, string>(sql, parameterCount, bind, read, argument);

    private IEnumerable<TItem> Stream<TItem, TArgument>(string sql, int parameterCount, Action<SqliteCommand, TArgument> bind, Func<CatalogReader, SqliteDataReader, TItem> read, TArgument argument)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = Rent(sql, parameterCount);
        try
        {
            SqliteDataReader reader;
            try
            {
                bind(command, argument);
                reader = command.ExecuteReader();
            }
            catch (SqliteException e) when (CatalogErrors.IsMapped(e))
            {
                throw CatalogErrors.Map(e, _path);
            }

            using (reader)
            {
                while (true)
                {
                    TItem item;
                    try
                    {
                        if (!reader.Read())
                        {
                            break;
                        }

                        item = read(this, reader);
                    }
                    catch (SqliteException e) when (CatalogErrors.IsMapped(e))
                    {
                        throw CatalogErrors.Map(e, _path);
                    }

                    yield return item;
                }
            }
        }
        finally
        {
            Return(sql, command);
        }
    }

    private SqliteCommand Rent(string sql, int parameterCount)
    {
        if (_idle.TryGetValue(sql, out var stack) && stack.TryPop(out var command))
        {
            return command;
        }

        try
        {
            return _connection.Prepare(sql, parameterCount);
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            throw CatalogErrors.Map(e, _path);
        }
    }

    private void Return(string sql, SqliteCommand command)
    {
        if (_disposed)
        {
            command.Dispose();
            return;
        }

        if (!_idle.TryGetValue(sql, out var stack))
        {
            stack = new Stack<SqliteCommand>(1);
            _idle.Add(sql, stack);
        }

        stack.Push(command);
    }

    private static void SetId(SqliteCommand command, int index, BlockId id)
    {
        var parameter = command.Parameters[index];
        if (parameter.Value is not byte[] buffer)
        {
            buffer = new byte[Hash256.Length];
            parameter.Value = buffer;
        }

        id.WriteTo(buffer);
    }

    private static FileEntry ReadEntryOf(CatalogReader self, SqliteDataReader reader) => self.ReadEntry(reader);

    private FileEntry ReadEntry(SqliteDataReader reader)
    {
        reader.GetBytes(7, 0, _idBuffer, 0, _idBuffer.Length);
        return new FileEntry(
            reader.GetInt64(0),
            reader.GetString(1),
            (FileKind)reader.GetInt32(2),
            reader.GetInt64(3),
            reader.GetInt32(4),
            reader.GetInt64(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            Hash256.FromBytes(_idBuffer),
            reader.GetInt32(8),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)));
    }

    private static FileBlock ReadFileBlock(CatalogReader self, SqliteDataReader reader) =>
        new(reader.GetInt32(0), self.ReadId(reader, 1), reader.GetInt64(2), reader.GetInt32(3));

    private BlockId ReadId(SqliteDataReader reader, int ordinal)
    {
        reader.GetBytes(ordinal, 0, _idBuffer, 0, _idBuffer.Length);
        return BlockId.FromBytes(_idBuffer);
    }

    private sealed class Snapshot(CatalogReader owner) : IDisposable
    {
        private bool _ended;

        public void Dispose()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            if (ReferenceEquals(owner._snapshot, this))
            {
                owner.EndSnapshot();
            }
        }
    }
}

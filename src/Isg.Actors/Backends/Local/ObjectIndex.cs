using System.Globalization;
using Isg.Actors.Catalog;
using SQLitePCL;

namespace Isg.Actors.Backends.Local;

/// <summary>
/// The local store's index, <c>objects.db</c> (SQLite in WAL mode) in the store's root: object name -> where its bytes
/// are. Small objects are kept in it (inline), large ones in pack files it points into. Several processes may open one
/// index at once (a node and an <c>isg add</c> beside it). Commits are not synced (synchronous = NORMAL) unless the
/// index was opened per-put durable; <see cref="Barrier"/> makes every earlier commit durable. Thread-safe: one
/// connection behind a lock, statements prepared once. Talks to SQLite through SQLitePCL's raw API so that blobs are
/// bound from and read into spans, without a managed array per object.
/// </summary>
internal sealed class ObjectIndex : IDisposable
{
    /// <summary>The index's file name in the store's root.</summary>
    public const string FileName = "objects.db";

    private const int SchemaVersion = 1;
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string _path;
    private readonly string _backend;
    private readonly Lock _lock = new();
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _find;
    private readonly sqlite3_stmt _contains;
    private readonly sqlite3_stmt _putInline;
    private readonly sqlite3_stmt _putPacked;
    private readonly sqlite3_stmt _remove;
    private readonly sqlite3_stmt _move;
    private readonly sqlite3_stmt _namesAfter;
    private readonly sqlite3_stmt _packUsage;
    private readonly sqlite3_stmt _objectsIn;
    private readonly sqlite3_stmt _barrier;
    private bool _disposed;

    /// <summary>Opens (creating if needed) the index in <paramref name="root"/>; <paramref name="syncEveryCommit"/> for per-put durability.</summary>
    public ObjectIndex(string root, string backend, bool syncEveryCommit)
    {
        SqliteRuntime.EnsureInitialized();
        _path = Path.Combine(root, FileName);
        _backend = backend;
        var rc = raw.sqlite3_open_v2(_path, out _db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE | raw.SQLITE_OPEN_NOMUTEX, null);
        try
        {
            Check(rc, "open");
            SqliteBusyWait.Install(_db, TimeSpan.FromMilliseconds(BusyTimeoutMilliseconds));
            Exec("PRAGMA journal_mode = WAL");
            Exec(syncEveryCommit ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            Migrate();
            _find = Prepare("SELECT pack, offset, length, data FROM objects WHERE name = ?1");
            _contains = Prepare("SELECT 1 FROM objects WHERE name = ?1");
            _putInline = Prepare("INSERT OR REPLACE INTO objects (name, pack, offset, length, data) VALUES (?1, NULL, 0, ?2, ?3)");
            _putPacked = Prepare("INSERT OR REPLACE INTO objects (name, pack, offset, length, data) VALUES (?1, ?2, ?3, ?4, NULL)");
            _remove = Prepare("DELETE FROM objects WHERE name = ?1");
            _move = Prepare("UPDATE objects SET pack = ?4, offset = ?5 WHERE name = ?1 AND pack = ?2 AND offset = ?3");
            _namesAfter = Prepare("SELECT name FROM objects WHERE name > ?1 ORDER BY name LIMIT ?2");
            _packUsage = Prepare("SELECT pack, SUM(length), COUNT(*) FROM objects WHERE pack IS NOT NULL GROUP BY pack");
            _objectsIn = Prepare("SELECT name, offset, length FROM objects WHERE pack = ?1 ORDER BY offset");
            _barrier = Prepare("UPDATE barrier SET flushes = flushes + 1");
        }
        catch
        {
            _db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where <paramref name="name"/> is, or false when the index does not hold it. An inline object's bytes come with
    /// it in <paramref name="inline"/> (the caller disposes it); for a packed one it is null.
    /// </summary>
    public bool TryFind(string name, out IndexedObject entry, out PooledBuffer? inline)
    {
        using var use = Use(_find);
        raw.sqlite3_bind_text(_find, 1, name);
        if (!Step(_find, "find"))
        {
            (entry, inline) = (default, null);
            return false;
        }

        var length = checked((int)raw.sqlite3_column_int64(_find, 2));
        if (raw.sqlite3_column_type(_find, 0) != raw.SQLITE_NULL)
        {
            entry = new IndexedObject(raw.sqlite3_column_text(_find, 0).utf8_to_string(), raw.sqlite3_column_int64(_find, 1), length);
            inline = null;
            return true;
        }

        var data = raw.sqlite3_column_blob(_find, 3);
        if (data.Length != length)
        {
            throw new BackendException(BackendFailureKind.Permanent, _backend,
                $"object {name} in the index {_path} holds {data.Length} bytes, its row says {length}");
        }

        entry = new IndexedObject(null, 0, length);
        inline = PooledBuffer.CopyOf(data);
        return true;
    }

    /// <summary>Whether the index holds <paramref name="name"/>.</summary>
    public bool Contains(string name)
    {
        using var use = Use(_contains);
        raw.sqlite3_bind_text(_contains, 1, name);
        return Step(_contains, "exists");
    }

    /// <summary>Records <paramref name="name"/> with its bytes inline, replacing what the name had.</summary>
    public void PutInline(string name, ReadOnlySpan<byte> data)
    {
        using var use = Use(_putInline);
        raw.sqlite3_bind_text(_putInline, 1, name);
        raw.sqlite3_bind_int64(_putInline, 2, data.Length);
        raw.sqlite3_bind_blob(_putInline, 3, data);
        Step(_putInline, "put");
    }

    /// <summary>Records <paramref name="name"/> as <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="pack"/>.</summary>
    public void PutPacked(string name, string pack, long offset, int length)
    {
        using var use = Use(_putPacked);
        raw.sqlite3_bind_text(_putPacked, 1, name);
        raw.sqlite3_bind_text(_putPacked, 2, pack);
        raw.sqlite3_bind_int64(_putPacked, 3, offset);
        raw.sqlite3_bind_int64(_putPacked, 4, length);
        Step(_putPacked, "put");
    }

    /// <summary>Forgets <paramref name="name"/>; false when the index did not hold it.</summary>
    public bool Remove(string name)
    {
        using var use = Use(_remove);
        raw.sqlite3_bind_text(_remove, 1, name);
        Step(_remove, "delete");
        return raw.sqlite3_changes(_db) > 0;
    }

    /// <summary>
    /// Points <paramref name="name"/> at its copy in <paramref name="toPack"/>, if it still is where it was copied from:
    /// false when a put or delete changed it meanwhile (the copy is then dead space).
    /// </summary>
    public bool Move(string name, string fromPack, long fromOffset, string toPack, long toOffset)
    {
        using var use = Use(_move);
        raw.sqlite3_bind_text(_move, 1, name);
        raw.sqlite3_bind_text(_move, 2, fromPack);
        raw.sqlite3_bind_int64(_move, 3, fromOffset);
        raw.sqlite3_bind_text(_move, 4, toPack);
        raw.sqlite3_bind_int64(_move, 5, toOffset);
        Step(_move, "move");
        return raw.sqlite3_changes(_db) > 0;
    }

    /// <summary>Up to <paramref name="limit"/> names after <paramref name="after"/> (all from the start when empty), in order.</summary>
    public List<string> NamesAfter(string after, int limit)
    {
        using var use = Use(_namesAfter);
        raw.sqlite3_bind_text(_namesAfter, 1, after);
        raw.sqlite3_bind_int64(_namesAfter, 2, limit);
        var names = new List<string>();
        while (Step(_namesAfter, "list"))
        {
            names.Add(raw.sqlite3_column_text(_namesAfter, 0).utf8_to_string());
        }

        return names;
    }

    /// <summary>For every pack some object points into: its live bytes and object count.</summary>
    public Dictionary<string, (long LiveBytes, int Objects)> PackUsage()
    {
        using var use = Use(_packUsage);
        var usage = new Dictionary<string, (long, int)>(StringComparer.Ordinal);
        while (Step(_packUsage, "pack usage"))
        {
            usage[raw.sqlite3_column_text(_packUsage, 0).utf8_to_string()] =
                (raw.sqlite3_column_int64(_packUsage, 1), raw.sqlite3_column_int(_packUsage, 2));
        }

        return usage;
    }

    /// <summary>The objects that point into <paramref name="pack"/>, by offset.</summary>
    public List<(string Name, long Offset, int Length)> ObjectsIn(string pack)
    {
        using var use = Use(_objectsIn);
        raw.sqlite3_bind_text(_objectsIn, 1, pack);
        var objects = new List<(string, long, int)>();
        while (Step(_objectsIn, "pack listing"))
        {
            objects.Add((raw.sqlite3_column_text(_objectsIn, 0).utf8_to_string(), raw.sqlite3_column_int64(_objectsIn, 1),
                checked((int)raw.sqlite3_column_int64(_objectsIn, 2))));
        }

        return objects;
    }

    /// <summary>
    /// Makes every commit so far durable: one commit with synchronous = FULL syncs the WAL, which holds every earlier
    /// commit (or, checkpointed, the database file, which SQLite synced before it reset the WAL).
    /// </summary>
    public void Barrier()
    {
        using var use = Use(_barrier);
        Exec("PRAGMA synchronous = FULL");
        try
        {
            Step(_barrier, "flush");
        }
        finally
        {
            Exec("PRAGMA synchronous = NORMAL");
        }
    }

    /// <summary>Finalizes the statements and closes the connection (a clean close checkpoints the WAL).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var statement in new[] { _find, _contains, _putInline, _putPacked, _remove, _move, _namesAfter, _packUsage, _objectsIn, _barrier })
            {
                statement.Dispose();
            }

            _db.Dispose();
        }
    }

    private void Migrate()
    {
        var version = ScalarInt64("PRAGMA user_version");
        if (version > SchemaVersion)
        {
            throw new BackendException(BackendFailureKind.Permanent, _backend,
                $"the object index {_path} has schema {version}, newer than this Isg knows ({SchemaVersion})");
        }

        if (version == SchemaVersion)
        {
            return;
        }

        Exec("BEGIN IMMEDIATE");
        try
        {
            Exec("""
                CREATE TABLE IF NOT EXISTS objects (
                    name TEXT PRIMARY KEY,
                    pack TEXT,
                    offset INTEGER NOT NULL,
                    length INTEGER NOT NULL,
                    data BLOB
                );
                CREATE INDEX IF NOT EXISTS objects_by_pack ON objects (pack) WHERE pack IS NOT NULL;
                CREATE TABLE IF NOT EXISTS barrier (flushes INTEGER NOT NULL);
                INSERT INTO barrier (flushes) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM barrier);
                """);
            Exec(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {SchemaVersion}"));
            Exec("COMMIT");
        }
        catch
        {
            if (raw.sqlite3_get_autocommit(_db) == 0)
            {
                raw.sqlite3_exec(_db, "ROLLBACK");
            }

            throw;
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement), "prepare");
        return statement;
    }

    private void Exec(string sql)
    {
        // exec runs every statement of a script; a pragma's result row is dropped.
        Check(raw.sqlite3_exec(_db, sql), "setup");
    }

    private long ScalarInt64(string sql)
    {
        using var statement = Prepare(sql);
        Check(raw.sqlite3_step(statement), "setup");
        return raw.sqlite3_column_int64(statement, 0);
    }

    // Takes the lock for one use of a prepared statement, and resets it (bindings too) when the use ends.
    private StatementUse Use(sqlite3_stmt statement)
    {
        var scope = _lock.EnterScope();
        if (_disposed)
        {
            scope.Dispose();
            throw new ObjectDisposedException(nameof(ObjectIndex));
        }

        return new StatementUse(scope, statement);
    }

    // One step: true for a row, false when done; anything else is a typed failure.
    private bool Step(sqlite3_stmt statement, string operation)
    {
        var rc = raw.sqlite3_step(statement);
        Check(rc, operation);
        return rc == raw.SQLITE_ROW;
    }

    private readonly ref struct StatementUse(Lock.Scope scope, sqlite3_stmt statement)
    {
        private readonly Lock.Scope _scope = scope;

        public void Dispose()
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
            _scope.Dispose();
        }
    }

    // SQLITE_ROW and SQLITE_DONE are successes of a step; everything else is a typed backend failure.
    private void Check(int rc, string operation)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE)
        {
            return;
        }

        var message = _db is null || _db.IsInvalid ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(_db).utf8_to_string();
        var primary = rc & 0xFF;
        var (kind, what) = primary switch
        {
            raw.SQLITE_BUSY or raw.SQLITE_LOCKED => (BackendFailureKind.Transient, "busy"),
            raw.SQLITE_IOERR => (BackendFailureKind.Transient, "I/O error"),
            raw.SQLITE_FULL => (BackendFailureKind.Permanent, "disk full"),
            raw.SQLITE_CORRUPT or raw.SQLITE_NOTADB => (BackendFailureKind.Permanent, "damaged"),
            raw.SQLITE_READONLY or raw.SQLITE_PERM or raw.SQLITE_CANTOPEN => (BackendFailureKind.Unauthorized, "cannot be written"),
            _ => (BackendFailureKind.Permanent, "failed"),
        };
        throw new BackendException(kind, _backend, $"{operation} in the object index {_path}: {what} ({message}, code {rc})");
    }
}

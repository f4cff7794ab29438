using System.Globalization;
using Isg.Protocol.Hashing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Catalog;

/// <summary>
/// The catalogue file <c>&lt;repo&gt;/catalog.db</c>: opened (created, migrated) once per process, then a factory for
/// the one <see cref="CatalogWriter"/> and any number of <see cref="CatalogReader"/>s. SQLite in WAL mode, so
/// readers never block the writer and always see whole commits. Thread-safe.
/// </summary>
public sealed class CatalogDatabase : IDisposable
{
    /// <summary>The catalogue's file name inside the repository directory.</summary>
    public const string FileName = "catalog.db";

    // Cap the rows each integrity query reports, so a badly broken catalogue yields a readable report.
    private const int MaxProblemsPerCheck = 1000;

    // Every connection's: the schema's foreign keys hold (lock waits are set by SqliteBusyWait).
    private const string ConnectionPragmas = "PRAGMA foreign_keys = ON;";

    private readonly CatalogDatabaseOptions _options;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private int _disposed;

    private CatalogDatabase(string path, CatalogDatabaseOptions options)
    {
        Path = path;
        _options = options;
        var timeoutSeconds = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            // Microsoft.Data.Sqlite retries BUSY itself until the command timeout (whole seconds; 0 = forever),
            // on top of the connection's own busy wait (SqliteBusyWait); both are set so the wait is bounded.
            DefaultTimeout = timeoutSeconds,
            Pooling = false,
        };
        _writerConnectionString = builder.ToString();
        // Readers are pooled so creating one per request is cheap; the pool key is the connection string, so
        // reader settings (query_only) can never leak into the writer's unpooled connections.
        builder.Pooling = true;
        _readerConnectionString = builder.ToString();
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The schema version after migrations ran (equals <see cref="CatalogMigrations.LatestVersion"/>).</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Whether files rows keep their entry's tree hash (schema v11, <see cref="CatalogLeafHashes"/>). False only for a
    /// catalogue opened at an older version, which the migration tests do.
    /// </summary>
    internal bool HasLeafHashes => SchemaVersion >= CatalogLeafHashes.SchemaVersion;

    internal CatalogDatabaseOptions Options => _options;

    /// <summary>
    /// Opens or creates <c>catalog.db</c> in <paramref name="repositoryDirectory"/> (created if missing) and applies
    /// pending migrations, each in its own transaction. Throws <see cref="CatalogException"/>: Corrupt for a file
    /// that is not SQLite or is damaged, NotACatalog for another application's database, SchemaTooNew when a newer
    /// Isg wrote it, Busy when another process holds the lock past the timeout, Io when the file cannot be opened.
    /// </summary>
    public static CatalogDatabase Open(string repositoryDirectory, CatalogDatabaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDirectory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(repositoryDirectory, FileName));
        try
        {
            Directory.CreateDirectory(repositoryDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CatalogException(CatalogErrorKind.Io, path, $"cannot create the repository directory: {e.Message}", e);
        }

        return OpenFile(path, options ?? new CatalogDatabaseOptions(), CatalogMigrations.All);
    }

    /// <summary>Opens <paramref name="path"/> with an explicit migration list (tests use it to simulate newer schemas).</summary>
    internal static CatalogDatabase OpenFile(string path, CatalogDatabaseOptions options, IReadOnlyList<CatalogMigration> migrations)
    {
        options.Validate();
        ValidateMigrations(migrations);
        SqliteRuntime.EnsureInitialized();
        var database = new CatalogDatabase(path, options);
        database.SchemaVersion = database.Migrate(migrations);
        return database;
    }

    /// <summary>
    /// Opens the catalogue's writer on its own connection. Create one and use it from one thread at a time (the
    /// catalogue actor); a second writer would only wait on the first one's lock.
    /// </summary>
    public CatalogWriter CreateWriter()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var connection = OpenConnection(
            _writerConnectionString,
            // FULL: the WAL is synced at every commit, so an acknowledged file survives power loss.
            "PRAGMA synchronous = FULL; PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;");
        try
        {
            return new CatalogWriter(this, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a reader on a pooled read-only connection: cheap, so create one per thread or request and dispose it.
    /// A reader is not thread-safe.
    /// </summary>
    public CatalogReader CreateReader()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new CatalogReader(Path, OpenConnection(_readerConnectionString, "PRAGMA query_only = ON;"), HasLeafHashes);
    }

    /// <summary>
    /// Checks the whole catalogue inside one read snapshot: SQLite's integrity and foreign-key checks, refcounts
    /// against file_blocks and snapshot_blocks, that every file's blocks exist and tile it, block counts, manifests, and that every
    /// referenced block is stored somewhere. Returns the problems found (empty when healthy). Reads every row:
    /// seconds on a large catalogue. Safe while the writer commits.
    /// </summary>
    public IReadOnlyList<CatalogProblem> IntegrityCheck()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var problems = new List<CatalogProblem>();
        using var connection = OpenConnection(_readerConnectionString, "PRAGMA query_only = ON;");
        try
        {
            connection.Execute("BEGIN");
            try
            {
                CollectProblems(connection, problems);
                if (HasLeafHashes)
                {
                    CollectLeafHashProblems(connection, problems);
                }
            }
            finally
            {
                connection.RollbackIfActive();
            }
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            throw CatalogErrors.Map(e, Path);
        }

        return problems;
    }

    /// <summary>Closes pooled reader connections. Readers and writers already created keep working until disposed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var key = new SqliteConnection(_readerConnectionString);
        SqliteConnection.ClearPool(key);
    }

    internal long NowUnixMilliseconds() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private SqliteConnection OpenConnection(string connectionString, string extraPragmas)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            SqliteBusyWait.Install(connection, _options.BusyTimeout);
            connection.Execute(ConnectionPragmas + " " + extraPragmas);
            return connection;
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            connection.Dispose();
            throw CatalogErrors.Map(e, Path);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private int Migrate(IReadOnlyList<CatalogMigration> migrations)
    {
        var builder = new SqliteConnectionStringBuilder(_writerConnectionString) { Mode = SqliteOpenMode.ReadWriteCreate };
        using var connection = OpenConnection(builder.ToString(), "PRAGMA synchronous = FULL;");
        CatalogLeafHashes.Register(connection);
        try
        {
            // The first statement reads the header: a file that is not SQLite fails here with NOTADB.
            using (var journal = connection.CreateCommand())
            {
                journal.CommandText = "PRAGMA journal_mode = WAL";
                var mode = journal.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CatalogException(CatalogErrorKind.Io, Path,
                        $"cannot switch the catalogue to WAL mode (journal_mode is '{mode}'); is the file system shared-memory capable?");
                }
            }

            var version = (int)connection.ScalarInt64("PRAGMA user_version");
            CheckIdentity(connection, version, migrations[^1].Version);
            foreach (var migration in migrations)
            {
                if (migration.Version > version)
                {
                    version = Apply(connection, migration);
                }
            }

            return version;
        }
        catch (SqliteException e) when (CatalogErrors.IsMapped(e))
        {
            throw CatalogErrors.Map(e, Path);
        }
    }

    private void CheckIdentity(SqliteConnection connection, int version, int latest)
    {
        var applicationId = (int)connection.ScalarInt64("PRAGMA application_id");
        if (applicationId != CatalogMigrations.ApplicationId)
        {
            var isEmpty = applicationId == 0 && version == 0 && connection.ScalarInt64("SELECT count(*) FROM sqlite_master") == 0;
            if (!isEmpty)
            {
                throw new CatalogException(CatalogErrorKind.NotACatalog, Path,
                    $"an SQLite database but not an Isg catalogue (application_id {applicationId}, user_version {version})");
            }
        }

        if (version > latest)
        {
            throw new CatalogException(CatalogErrorKind.SchemaTooNew, Path,
                $"catalogue schema version {version} is newer than this program's {latest}; upgrade Isg");
        }
    }

    private int Apply(SqliteConnection connection, CatalogMigration migration)
    {
        connection.Execute("BEGIN IMMEDIATE");
        try
        {
            // Another process may have migrated between our read and our lock.
            var current = (int)connection.ScalarInt64("PRAGMA user_version");
            if (current >= migration.Version)
            {
                connection.Execute("COMMIT");
                return current;
            }

            if (current != migration.Version - 1)
            {
                throw new CatalogException(CatalogErrorKind.Corrupt, Path,
                    $"schema version {current} cannot be migrated to {migration.Version}");
            }

            connection.Execute(migration.Sql);
            connection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {migration.Version}"));
            connection.Execute("COMMIT");
        }
        catch
        {
            connection.RollbackIfActive();
            throw;
        }

        _options.Logger.LogInformation("Catalogue {Path}: applied migration {Version} ({Name})", Path, migration.Version, migration.Name);
        return migration.Version;
    }

    private static void ValidateMigrations(IReadOnlyList<CatalogMigration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        if (migrations.Count == 0)
        {
            throw new ArgumentException("at least one migration is required", nameof(migrations));
        }

        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new ArgumentException($"migration {i} has version {migrations[i].Version}; versions must be 1..n in order", nameof(migrations));
            }
        }
    }

    private static void CollectProblems(SqliteConnection connection, List<CatalogProblem> problems)
    {
        Query(connection, "PRAGMA integrity_check", r =>
        {
            var text = r.GetString(0);
            return text == "ok" ? null : new CatalogProblem(CatalogProblemKind.Storage, text);
        }, problems);

        Query(connection, "PRAGMA foreign_key_check", r => new CatalogProblem(CatalogProblemKind.ForeignKey,
            $"{r.GetString(0)} row {(r.IsDBNull(1) ? "?" : r.GetInt64(1).ToString(CultureInfo.InvariantCulture))} names a missing {r.GetString(2)} row"),
            problems);

        Query(connection, $"""
            SELECT id, refcount, uses FROM (
                SELECT b.id, b.refcount,
                       (SELECT count(*) FROM file_blocks fb WHERE fb.block_id = b.id)
                       + (SELECT count(*) FROM snapshot_blocks sb WHERE sb.block_id = b.id) AS uses
                FROM blocks b)
            WHERE refcount != uses
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.RefcountMismatch,
                $"block {HexOf(r, 0)} has refcount {r.GetInt64(1)} but {r.GetInt64(2)} file_blocks and snapshot_blocks rows name it"),
            problems);

        Query(connection, $"""
            SELECT id, chunk_count, chunks FROM (
                SELECT b.id, b.chunk_count, (SELECT count(*) FROM chunks c WHERE c.block_id = b.id) AS chunks
                FROM blocks b)
            WHERE chunk_count != chunks
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.ChunkCountMismatch,
                $"block {HexOf(r, 0)} has chunk_count {r.GetInt64(1)} but {r.GetInt64(2)} chunks rows name it"),
            problems);

        Query(connection, $"""
            SELECT fb.file_id, f.path, fb.seq, fb.block_id
            FROM file_blocks fb LEFT JOIN files f ON f.id = fb.file_id
            WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.id = fb.block_id)
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.MissingBlock,
                $"file {r.GetInt64(0)} '{(r.IsDBNull(1) ? "?" : r.GetString(1))}' block {r.GetInt64(2)} names block {HexOf(r, 3)}, which the catalogue does not hold"),
            problems);

        Query(connection, $"""
            SELECT f.id, f.path, f.kind, f.size, f.block_count,
                   count(fb.seq), coalesce(sum(fb.length), 0), coalesce(max(fb.seq), -1)
            FROM files f LEFT JOIN file_blocks fb ON fb.file_id = f.id
            GROUP BY f.id
            HAVING count(fb.seq) != f.block_count
                OR coalesce(max(fb.seq), -1) != count(fb.seq) - 1
                OR (f.kind = 0 AND coalesce(sum(fb.length), 0) != f.size)
                OR (f.kind != 0 AND count(fb.seq) != 0)
            LIMIT {MaxProblemsPerCheck}
            """, r =>
            {
                var count = r.GetInt64(5);
                return count != r.GetInt64(4)
                    ? new CatalogProblem(CatalogProblemKind.BlockCountMismatch,
                        $"file {r.GetInt64(0)} '{r.GetString(1)}' has block_count {r.GetInt64(4)} but {count} blocks")
                    : new CatalogProblem(CatalogProblemKind.LayoutMismatch,
                        $"file {r.GetInt64(0)} '{r.GetString(1)}' (kind {r.GetInt64(2)}, size {r.GetInt64(3)}) has {count} blocks numbered up to {r.GetInt64(7)} covering {r.GetInt64(6)} bytes");
            }, problems);

        Query(connection, $"""
            SELECT file_id, seq, "offset", expected FROM (
                SELECT file_id, seq, "offset",
                       coalesce(sum(length) OVER (PARTITION BY file_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS expected
                FROM file_blocks)
            WHERE "offset" != expected
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.LayoutMismatch,
                $"file {r.GetInt64(0)} block {r.GetInt64(1)} starts at {r.GetInt64(2)}, expected {r.GetInt64(3)}"),
            problems);

        // A block of a file from a peer that has not arrived yet (NotHeldCompression) is wanted, not lost.
        Query(connection, $"""
            SELECT b.id, b.refcount FROM blocks b
            WHERE b.refcount > 0 AND b.compression <> {CrdtVersions.NotHeldCompression}
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.block_id = b.id)
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.UnstoredBlock,
                $"block {HexOf(r, 0)} is referenced {r.GetInt64(1)} times but stored on no backend"),
            problems);

        Query(connection, $"""
            SELECT f.id, f.path FROM files f
            WHERE NOT EXISTS (SELECT 1 FROM file_manifests m WHERE m.file_id = f.id)
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.MissingManifest,
                $"file {r.GetInt64(0)} '{r.GetString(1)}' has no manifest"),
            problems);

        CollectStripeProblems(connection, problems);
    }

    // A stored leaf hash must be what its row's columns hash to (a NULL one is not wrong: the root hashes that row).
    private static void CollectLeafHashProblems(SqliteConnection connection, List<CatalogProblem> problems)
    {
        CatalogLeafHashes.Register(connection);
        Query(connection, $"""
            SELECT id, path FROM files
            WHERE leaf_hash IS NOT NULL AND {CatalogLeafHashes.StaleCondition}
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.LeafHashMismatch,
                $"file {r.GetInt64(0)} '{r.GetString(1)}' has a stored leaf hash that is not its entry's (the catalogue root would disagree with peers')"),
            problems);
    }

    // Every stripe has k data blocks numbered 0..k-1 and m parity chunks numbered k..k+m-1 (a parity shard may have
    // copies on several backends, so distinct indexes are counted), and no data shard outgrows shard_size.
    private static void CollectStripeProblems(SqliteConnection connection, List<CatalogProblem> problems)
    {
        Query(connection, $"""
            SELECT s.id, s.k, s.m, s.shard_size,
                   (SELECT count(*) FROM blocks b WHERE b.stripe_id = s.id AND b.stripe_index BETWEEN 0 AND s.k - 1),
                   (SELECT count(DISTINCT b.stripe_index) FROM blocks b WHERE b.stripe_id = s.id),
                   (SELECT count(*) FROM blocks b WHERE b.stripe_id = s.id),
                   (SELECT count(DISTINCT c.shard_index) FROM chunks c
                    WHERE c.stripe_id = s.id AND c.is_parity = 1 AND c.shard_index BETWEEN s.k AND s.k + s.m - 1),
                   (SELECT count(*) FROM chunks c WHERE c.stripe_id = s.id AND c.is_parity = 1
                    AND c.shard_index NOT BETWEEN s.k AND s.k + s.m - 1),
                   (SELECT coalesce(max(b.stored_size), 0) FROM blocks b WHERE b.stripe_id = s.id)
            FROM stripes s
            LIMIT {MaxProblemsPerCheck}
            """, r =>
            {
                var (id, k, m, shardSize) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
                var (dataInRange, distinctData, data, parity, strayParity, largest) =
                    (r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9));
                if (dataInRange == k && distinctData == k && data == k && parity == m && strayParity == 0 && largest <= shardSize)
                {
                    return null;
                }

                return new CatalogProblem(CatalogProblemKind.StripeMismatch, string.Create(CultureInfo.InvariantCulture,
                    $"stripe {id} ({k}+{m}, shard size {shardSize}) has {data} data blocks ({distinctData} distinct indexes, {dataInRange} in range), {parity} parity shards ({strayParity} out of range), largest data shard {largest}"));
            }, problems);

        Query(connection, $"""
            SELECT b.id, b.stripe_id FROM blocks b
            WHERE b.stripe_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stripes s WHERE s.id = b.stripe_id)
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.StripeMismatch,
                $"block {HexOf(r, 0)} names stripe {r.GetInt64(1)}, which does not exist"),
            problems);

        Query(connection, $"""
            SELECT c.block_id, c.stripe_id FROM chunks c
            WHERE c.is_parity = 1 AND NOT EXISTS (SELECT 1 FROM stripes s WHERE s.id = c.stripe_id)
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.StripeMismatch,
                $"parity chunk {HexOf(r, 0)} names stripe {r.GetInt64(1)}, which does not exist"),
            problems);

        Query(connection, $"""
            SELECT c.block_id FROM chunks c
            WHERE c.is_parity = 0 AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.id = c.block_id)
            LIMIT {MaxProblemsPerCheck}
            """, r => new CatalogProblem(CatalogProblemKind.ForeignKey,
                $"chunk of block {HexOf(r, 0)} names a block the catalogue does not hold"),
            problems);
    }

    private static void Query(SqliteConnection connection, string sql, Func<SqliteDataReader, CatalogProblem?> read, List<CatalogProblem> problems)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (read(reader) is { } problem)
            {
                problems.Add(problem);
            }
        }
    }

    private static string HexOf(SqliteDataReader reader, int ordinal)
    {
        var bytes = reader.GetFieldValue<byte[]>(ordinal);
        return bytes.Length == Hash256.Length ? BlockId.FromBytes(bytes).ToHex() : Convert.ToHexStringLower(bytes);
    }
}

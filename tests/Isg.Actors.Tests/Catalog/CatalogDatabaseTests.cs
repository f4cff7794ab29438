using Isg.Actors.Catalog;
using Microsoft.Data.Sqlite;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogDatabaseTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Open_NewRepository_CreatesLatestSchemaInWalMode()
    {
        using var database = OpenNew(_directory);

        Assert.Equal(System.IO.Path.Combine(_directory.Path, CatalogDatabase.FileName), database.Path);
        Assert.Equal(CatalogMigrations.LatestVersion, database.SchemaVersion);
        Assert.Equal(CatalogMigrations.LatestVersion, Scalar(database, "PRAGMA user_version"));
        Assert.Equal(CatalogMigrations.ApplicationId, Scalar(database, "PRAGMA application_id"));
        using var raw = Raw(database);
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        foreach (var table in new[] { "config", "blocks", "chunks", "files", "file_manifests", "file_blocks", "snapshots", "access_log" })
        {
            Assert.Equal(1, Scalar(database, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $p0", table));
        }
    }

    [Fact]
    public void Open_MissingRepositoryDirectory_CreatesIt()
    {
        var nested = _directory.Combine("a", "b");

        using var database = CatalogDatabase.Open(nested);

        Assert.True(System.IO.File.Exists(System.IO.Path.Combine(nested, CatalogDatabase.FileName)));
    }

    [Fact]
    public void Open_ExistingCatalogue_KeepsDataAndVersion()
    {
        using (var database = OpenNew(_directory))
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a.txt", Block(1))], [Block(1)]);
            writer.SetConfig("repo.id", "abc");
        }

        using var reopened = OpenNew(_directory);
        using var reader = reopened.CreateReader();

        Assert.Equal(CatalogMigrations.LatestVersion, reopened.SchemaVersion);
        Assert.NotNull(reader.GetFile("a.txt"));
        Assert.Equal("abc", reader.GetConfig("repo.id"));
        Assert.Empty(reopened.IntegrityCheck());
    }

    [Fact]
    public void Open_SchemaNewerThanCode_ThrowsSchemaTooNew()
    {
        var path = _directory.Combine(CatalogDatabase.FileName);
        CatalogMigration[] future = [.. CatalogMigrations.All, new(CatalogMigrations.LatestVersion + 1, "future", "CREATE TABLE future (x INTEGER);")];
        using (CatalogDatabase.OpenFile(path, new CatalogDatabaseOptions(), future))
        {
        }

        var error = Assert.Throws<CatalogException>(() => CatalogDatabase.Open(_directory.Path));

        Assert.Equal(CatalogErrorKind.SchemaTooNew, error.Kind);
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Open_FailingMigration_RollsBackThatStepOnly()
    {
        var path = _directory.Combine(CatalogDatabase.FileName);
        CatalogMigration[] broken =
        [
            .. CatalogMigrations.All,
            new(CatalogMigrations.LatestVersion + 1, "broken", "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"),
        ];

        Assert.Throws<SqliteException>(() => CatalogDatabase.OpenFile(path, new CatalogDatabaseOptions(), broken));

        using var database = CatalogDatabase.Open(_directory.Path);
        Assert.Equal(CatalogMigrations.LatestVersion, Scalar(database, "PRAGMA user_version"));
        Assert.Equal(0, Scalar(database, "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"));
    }

    [Fact]
    public void OpenFile_MigrationsOutOfOrder_Throws()
    {
        CatalogMigration[] gap = [CatalogMigrations.All[0], new(3, "skips 2", "SELECT 1;")];

        Assert.Throws<ArgumentException>(() => CatalogDatabase.OpenFile(_directory.Combine("x.db"), new CatalogDatabaseOptions(), gap));
    }

    [Fact]
    public void Open_GarbageFile_ThrowsCorruptNamingThePath()
    {
        var path = _directory.Combine(CatalogDatabase.FileName);
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        System.IO.File.WriteAllBytes(path, garbage);

        var error = Assert.Throws<CatalogException>(() => CatalogDatabase.Open(_directory.Path));

        Assert.Equal(CatalogErrorKind.Corrupt, error.Kind);
        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TextFile_ThrowsCorrupt()
    {
        System.IO.File.WriteAllText(_directory.Combine(CatalogDatabase.FileName), "this is not a database, just some words that are long enough to fill a header page");

        var error = Assert.Throws<CatalogException>(() => CatalogDatabase.Open(_directory.Path));

        Assert.Equal(CatalogErrorKind.Corrupt, error.Kind);
    }

    [Fact]
    public void Open_OtherApplicationsDatabase_ThrowsNotACatalog()
    {
        var path = _directory.Combine(CatalogDatabase.FileName);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE songs (title TEXT);";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<CatalogException>(() => CatalogDatabase.Open(_directory.Path));

        Assert.Equal(CatalogErrorKind.NotACatalog, error.Kind);
    }

    [Fact]
    public void Commit_LockHeldElsewhereBeyondTimeout_ThrowsBusy()
    {
        using var database = OpenNew(_directory, new CatalogDatabaseOptions { BusyTimeout = TimeSpan.FromMilliseconds(100) });
        using var writer = database.CreateWriter();
        using var holder = Raw(database);
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        var error = Assert.Throws<CatalogException>(() => writer.Commit([File("a", Block(1))], [Block(1)]));

        Assert.Equal(CatalogErrorKind.Busy, error.Kind);
        using (var rollback = holder.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        writer.Commit([File("a", Block(1))], [Block(1)]);
        using var reader = database.CreateReader();
        Assert.NotNull(reader.GetFile("a"));
    }

    [Fact]
    public void Commit_LockHeldElsewhereBriefly_WaitsMillisecondsNotASecond()
    {
        using var database = OpenNew(_directory);
        using var writer = database.CreateWriter();
        using var holder = Raw(database);
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        // The other connection lets go after 50 ms, from a thread of its own (a pool thread can start late while
        // many tests start together). SQLite's built-in wait in the bundled library sleeps whole seconds (1,001 ms
        // measured here); the busy handler's steps of at most 100 ms end well before that.
        var release = new Thread(() =>
        {
            Thread.Sleep(50);
            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        });
        var waited = System.Diagnostics.Stopwatch.StartNew();
        release.Start();
        writer.Commit([File("a", Block(1))], [Block(1)]);
        waited.Stop();
        release.Join();

        Assert.InRange(waited.ElapsedMilliseconds, 40, 900);
        using var reader = database.CreateReader();
        Assert.NotNull(reader.GetFile("a"));
    }

    [Fact]
    public void BusyWait_Schedule_GrowsFrom1To100MillisecondsAndStopsAtTheTimeout()
    {
        Assert.Equal([1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100, 100], Enumerable.Range(0, 13).Select(t => SqliteBusyWait.DelayBefore(t, 5000)));

        var slept = 0L;
        var tries = 0;
        for (int delay; (delay = SqliteBusyWait.DelayBefore(tries, 1234)) > 0; tries++)
        {
            slept += delay;
        }

        Assert.Equal(1234, slept);
        Assert.Equal(0, SqliteBusyWait.DelayBefore(0, 0));
    }

    [Fact]
    public void Options_NonPositiveBusyTimeout_Rejected()
    {
        Assert.Throws<ArgumentException>(() => OpenNew(_directory, new CatalogDatabaseOptions { BusyTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public void IntegrityCheck_HealthyCatalogue_ReportsNothing()
    {
        using var database = OpenNew(_directory);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1), Block(2)), File("b", Block(2), Block(2)), Directory("d")], [Block(1), Block(2)]);
        }

        Assert.Empty(database.IntegrityCheck());
    }

    [Fact]
    public void IntegrityCheck_HandBrokenRefcount_ReportsRefcountMismatch()
    {
        using var database = OpenNew(_directory);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1)), File("b", Block(1))], [Block(1)]);
        }

        Execute(database, "UPDATE blocks SET refcount = 5 WHERE id = $p0", Id(1).ToArray());

        var problem = Assert.Single(database.IntegrityCheck());
        Assert.Equal(CatalogProblemKind.RefcountMismatch, problem.Kind);
        Assert.Contains(Id(1).ToHex(), problem.Message, StringComparison.Ordinal);
        Assert.Contains("refcount 5 but 2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegrityCheck_WrongBlockCount_ReportsBlockCountMismatch()
    {
        using var database = OpenNew(_directory);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1), Block(2))], [Block(1), Block(2)]);
        }

        Execute(database, "UPDATE files SET block_count = 3 WHERE path = 'a'");

        var problem = Assert.Single(database.IntegrityCheck());
        Assert.Equal(CatalogProblemKind.BlockCountMismatch, problem.Kind);
    }

    [Fact]
    public void IntegrityCheck_GapBetweenBlocks_ReportsLayoutMismatch()
    {
        using var database = OpenNew(_directory);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1), Block(2))], [Block(1), Block(2)]);
        }

        Execute(database, "UPDATE file_blocks SET \"offset\" = 1001 WHERE seq = 1");

        var problems = database.IntegrityCheck();
        Assert.Contains(problems, p => p.Kind == CatalogProblemKind.LayoutMismatch && p.Message.Contains("expected 1000", StringComparison.Ordinal));
    }

    [Fact]
    public void IntegrityCheck_BlockWithoutLocation_ReportsUnstoredBlock()
    {
        using var database = OpenNew(_directory);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1))], [Block(1)]);
        }

        Execute(database, "DELETE FROM chunks");

        var problem = Assert.Single(database.IntegrityCheck());
        Assert.Equal(CatalogProblemKind.UnstoredBlock, problem.Kind);
    }

    [Fact]
    public void IntegrityCheck_DanglingBlockReference_ReportsMissingBlock()
    {
        using var database = OpenNew(_directory);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1))], [Block(1)]);
        }

        // Behind the API's back with foreign keys off, as a damaged file could be.
        Execute(database, "PRAGMA foreign_keys = OFF; DELETE FROM blocks;");

        var problems = database.IntegrityCheck();
        Assert.Contains(problems, p => p.Kind == CatalogProblemKind.MissingBlock);
        Assert.Contains(problems, p => p.Kind == CatalogProblemKind.ForeignKey);
    }
}

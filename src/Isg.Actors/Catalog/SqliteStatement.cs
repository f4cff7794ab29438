using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Isg.Actors.Catalog;

/// <summary>
/// One persistent prepared statement driven through SQLitePCL directly: a bind, step and reset costs about a third
/// of a Microsoft.Data.Sqlite command execution, which matters on the writer's per-row path. Parameters are
/// 1-based, columns 0-based, as in SQLite. Errors become <see cref="SqliteException"/> with SQLite's codes. Not
/// thread-safe; the connection must outlive it.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _utf8 = new byte[256];

    /// <summary>Prepares exactly one statement; throws <see cref="SqliteException"/> on SQL errors.</summary>
    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out string tail);
        Check(rc);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            _statement.Dispose();
            throw new ArgumentException($"one statement per SqliteStatement; trailing SQL: {tail}", nameof(sql));
        }
    }

    /// <summary>Binds an integer.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Binds a blob (copied by SQLite).</summary>
    public void Bind(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Binds text as UTF-8 (copied by SQLite), or NULL for null.</summary>
    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }

        var length = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_utf8.Length < length)
        {
            _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        }

        var written = System.Text.Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, written)));
    }

    /// <summary>Binds NULL.</summary>
    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs a statement that returns no rows and resets it; returns the number of rows changed.</summary>
    public int Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            Check(rc);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Advances a query: true with a row to read, false when done. Call <see cref="Reset"/> after the last read.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc != raw.SQLITE_DONE)
        {
            try
            {
                Check(rc);
            }
            finally
            {
                raw.sqlite3_reset(_statement);
            }
        }

        return false;
    }

    /// <summary>Ends the current execution so the statement can run again (bindings are kept).</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    /// <summary>Column <paramref name="column"/> of the current row as an integer.</summary>
    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>Column <paramref name="column"/> of the current row as an integer.</summary>
    public int Int32(int column) => raw.sqlite3_column_int(_statement, column);

    /// <summary>Column <paramref name="column"/> as text.</summary>
    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Column <paramref name="column"/> as bytes, valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_statement, column);

    /// <summary>Whether column <paramref name="column"/> is NULL.</summary>
    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>Finalises the statement.</summary>
    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW)
        {
            return;
        }

        throw new SqliteException(
            $"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
    }
}

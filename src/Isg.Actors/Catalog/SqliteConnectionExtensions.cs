using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>Small statement helpers for the catalogue's connections.</summary>
internal static class SqliteConnectionExtensions
{
    /// <summary>Runs one or more statements, discarding results.</summary>
    public static void Execute(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a statement that yields one integer (a pragma or an aggregate).</summary>
    public static long ScalarInt64(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Creates a prepared command with positional parameters named <c>$p0</c>, <c>$p1</c>, ….</summary>
    public static SqliteCommand Prepare(this SqliteConnection connection, string sql, int parameterCount = 0)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameterCount; i++)
        {
            command.Parameters.Add(new SqliteParameter("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
        }

        command.Prepare();
        return command;
    }

    /// <summary>Whether an explicit transaction is open (SQLite may have rolled it back itself after FULL, IOERR or BUSY).</summary>
    public static bool InTransaction(this SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    /// <summary>Rolls back the open transaction, if SQLite has not already done so.</summary>
    public static void RollbackIfActive(this SqliteConnection connection)
    {
        if (connection.InTransaction())
        {
            connection.Execute("ROLLBACK");
        }
    }
}

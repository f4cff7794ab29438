using System.Text.Json;
using Isg.Actors.Catalog;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Backends.Remote;

/// <summary>
/// A platform backend's durable map from our object names to the platform's ids (<see cref="RemoteObject"/>), in an
/// SQLite file of its own under the backend's state folder. Platforms name what we upload themselves (message ids,
/// video ids), so this is how a get finds an object again. Every change is one committed transaction with
/// synchronous=FULL, so an id is never lost once a put returned. Thread-safe (one connection behind a lock).
/// </summary>
public sealed class RemoteObjectIndex : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private RemoteObjectIndex(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens or creates the index at <paramref name="path"/> (its folder is created).</summary>
    public static RemoteObjectIndex Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SqliteRuntime.EnsureInitialized();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        SqliteBusyWait.Install(connection, TimeSpan.FromSeconds(30));
        using var setup = connection.CreateCommand();
        setup.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS remote_objects (
                name   TEXT PRIMARY KEY,
                parts  TEXT NOT NULL,
                length INTEGER NOT NULL
            ) WITHOUT ROWID;
            """;
        setup.ExecuteNonQuery();
        return new RemoteObjectIndex(connection);
    }

    /// <summary>Records (or replaces) where <paramref name="entry"/> lives; durable when it returns.</summary>
    public void Put(RemoteObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO remote_objects (name, parts, length) VALUES ($name, $parts, $length)";
            command.Parameters.AddWithValue("$name", entry.Name);
            command.Parameters.AddWithValue("$parts", JsonSerializer.Serialize(entry.Parts));
            command.Parameters.AddWithValue("$length", entry.Length);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Where <paramref name="name"/> lives, if recorded.</summary>
    public bool TryGet(string name, out RemoteObject entry)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT parts, length FROM remote_objects WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                entry = null!;
                return false;
            }

            entry = new RemoteObject(name, JsonSerializer.Deserialize<string[]>(reader.GetString(0)) ?? [], reader.GetInt64(1));
            return true;
        }
    }

    /// <summary>Forgets <paramref name="name"/>; nothing happens when it is not recorded.</summary>
    public void Remove(string name)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM remote_objects WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Every recorded object, in name order (a snapshot taken under the lock).</summary>
    public IReadOnlyList<RemoteObject> All()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT name, parts, length FROM remote_objects ORDER BY name";
            using var reader = command.ExecuteReader();
            var all = new List<RemoteObject>();
            while (reader.Read())
            {
                all.Add(new RemoteObject(reader.GetString(0), JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? [], reader.GetInt64(2)));
            }

            return all;
        }
    }

    /// <summary>Objects recorded and their total bytes.</summary>
    public (long Objects, long Bytes) Usage()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT count(*), coalesce(sum(length), 0) FROM remote_objects";
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();
}

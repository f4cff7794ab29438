using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>The reader's upload-queue and backend-credential queries.</summary>
public sealed partial class CatalogReader
{
    private const string UploadQueueSql = """
        SELECT object_name, length, enqueued_at, attempts, last_error, next_attempt_at
        FROM upload_queue WHERE backend = $p0 ORDER BY enqueued_at, object_name
        """;
    private const string UploadQueueSummarySql = """
        SELECT backend, count(*), coalesce(sum(length), 0), min(enqueued_at),
               (SELECT last_error FROM upload_queue e WHERE e.backend = q.backend AND e.last_error IS NOT NULL
                ORDER BY e.next_attempt_at DESC LIMIT 1)
        FROM upload_queue q GROUP BY backend ORDER BY backend
        """;
    private const string DueUploadsSql = """
        SELECT object_name, length, enqueued_at, attempts, last_error, next_attempt_at
        FROM upload_queue WHERE backend = $p0 AND next_attempt_at <= $p1 ORDER BY next_attempt_at, object_name LIMIT $p2
        """;
    private const string NextUploadSql = "SELECT min(next_attempt_at) FROM upload_queue WHERE backend = $p0";
    private const string BackendSecretBoxesSql = "SELECT name, secrets FROM backends WHERE secrets IS NOT NULL";

    /// <summary>The upload queue of <paramref name="backend"/>, oldest first.</summary>
    public IReadOnlyList<UploadQueueEntry> ListUploadQueue(string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        return Run(UploadQueueSql, 1, command =>
        {
            command.Parameters[0].Value = backend;
            return ReadUploadEntries(command);
        });
    }

    /// <summary>Up to <paramref name="limit"/> entries of <paramref name="backend"/>'s queue due at <paramref name="now"/>, soonest first.</summary>
    public IReadOnlyList<UploadQueueEntry> ListDueUploads(string backend, DateTimeOffset now, int limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Run(DueUploadsSql, 3, command =>
        {
            command.Parameters[0].Value = backend;
            command.Parameters[1].Value = now.ToUnixTimeMilliseconds();
            command.Parameters[2].Value = limit;
            return ReadUploadEntries(command);
        });
    }

    /// <summary>When the next entry of <paramref name="backend"/>'s queue is due; null when the queue is empty.</summary>
    public DateTimeOffset? GetNextUploadDue(string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        return Run(NextUploadSql, 1, command =>
        {
            command.Parameters[0].Value = backend;
            var value = command.ExecuteScalar();
            return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        });
    }

    /// <summary>Every non-empty upload queue, by backend name.</summary>
    public IReadOnlyList<UploadQueueSummary> GetUploadQueueSummaries() => Run(UploadQueueSummarySql, 0, command =>
    {
        var summaries = new List<UploadQueueSummary>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            summaries.Add(new UploadQueueSummary(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return summaries;
    });

    /// <summary>The sealed credential boxes of the backends that have any, by name (open them with Backends.Secrets.BackendSecrets).</summary>
    public IReadOnlyDictionary<string, byte[]> GetBackendSecretBoxes() => Run(BackendSecretBoxesSql, 0, command =>
    {
        var boxes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            boxes[reader.GetString(0)] = reader.GetFieldValue<byte[]>(1);
        }

        return boxes;
    });

    // The columns of UploadQueueSql and DueUploadsSql, in order.
    private static List<UploadQueueEntry> ReadUploadEntries(SqliteCommand command)
    {
        var entries = new List<UploadQueueEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new UploadQueueEntry(reader.GetString(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return entries;
    }
}

namespace Isg.Actors.Catalog;

/// <summary>The writer's upload-queue and backend-credential statements.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _enqueueUpload;
    private SqliteStatement? _deleteUpload;
    private SqliteStatement? _failUpload;
    private SqliteStatement? _readSecrets;
    private SqliteStatement? _writeSecrets;

    /// <summary>
    /// Queues <paramref name="entries"/> for <paramref name="backend"/> in one transaction; an object queued already
    /// takes the new length and is due at once (attempts reset). Call only after each object's spool file is durable.
    /// </summary>
    public void EnqueueUploads(string backend, IReadOnlyList<UploadQueueEntry> entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(entries);
        _enqueueUpload ??= Prepare("""
            INSERT INTO upload_queue (backend, object_name, length, enqueued_at, attempts, last_error, next_attempt_at)
            VALUES (?1, ?2, ?3, ?4, 0, NULL, ?5)
            ON CONFLICT (backend, object_name) DO UPDATE SET length = excluded.length, attempts = 0, last_error = NULL,
                next_attempt_at = excluded.next_attempt_at
            """);
        InTransaction(() =>
        {
            foreach (var entry in entries)
            {
                _enqueueUpload.Bind(1, backend);
                _enqueueUpload.Bind(2, entry.ObjectName);
                _enqueueUpload.Bind(3, entry.Length);
                _enqueueUpload.Bind(4, entry.EnqueuedAt.ToUnixTimeMilliseconds());
                _enqueueUpload.Bind(5, entry.NextAttemptAt.ToUnixTimeMilliseconds());
                _enqueueUpload.Execute();
            }

            return entries.Count;
        });
    }

    /// <summary>Removes <paramref name="objectNames"/> from <paramref name="backend"/>'s queue (uploaded or deleted) in one transaction. Idempotent.</summary>
    public void DequeueUploads(string backend, IReadOnlyList<string> objectNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(objectNames);
        _deleteUpload ??= Prepare("DELETE FROM upload_queue WHERE backend = ?1 AND object_name = ?2");
        InTransaction(() =>
        {
            foreach (var name in objectNames)
            {
                _deleteUpload.Bind(1, backend);
                _deleteUpload.Bind(2, name);
                _deleteUpload.Execute();
            }

            return objectNames.Count;
        });
    }

    /// <summary>Records a failed upload: the attempt count, the failure (no credentials in it) and when to try again.</summary>
    public void RecordUploadFailure(string backend, string objectName, int attempts, string lastError, DateTimeOffset nextAttemptAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(objectName);
        ArgumentNullException.ThrowIfNull(lastError);
        _failUpload ??= Prepare("UPDATE upload_queue SET attempts = ?3, last_error = ?4, next_attempt_at = ?5 WHERE backend = ?1 AND object_name = ?2");
        InTransaction(() =>
        {
            _failUpload.Bind(1, backend);
            _failUpload.Bind(2, objectName);
            _failUpload.Bind(3, attempts);
            _failUpload.Bind(4, lastError);
            _failUpload.Bind(5, nextAttemptAt.ToUnixTimeMilliseconds());
            return _failUpload.Execute();
        });
    }

    /// <summary>
    /// Replaces the sealed credentials of backend <paramref name="name"/> with what <paramref name="update"/> makes of
    /// the current box (null: none), in one transaction. Returns false (changing nothing) when no such backend exists.
    /// </summary>
    public bool UpdateBackendSecrets(string name, Func<byte[]?, byte[]?> update)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(update);
        _readSecrets ??= Prepare("SELECT secrets FROM backends WHERE name = ?1");
        _writeSecrets ??= Prepare("UPDATE backends SET secrets = ?2 WHERE name = ?1");
        return InTransaction(() =>
        {
            byte[]? current;
            _readSecrets.Bind(1, name);
            try
            {
                if (!_readSecrets.Step())
                {
                    return false;
                }

                current = _readSecrets.IsNull(0) ? null : _readSecrets.Blob(0).ToArray();
            }
            finally
            {
                _readSecrets.Reset();
            }

            var box = update(current);
            _writeSecrets.Bind(1, name);
            if (box is null)
            {
                _writeSecrets.BindNull(2);
            }
            else
            {
                _writeSecrets.Bind(2, box);
            }

            _writeSecrets.Execute();
            return true;
        });
    }
}

using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>The writer's statements for adding backends with credentials, copying blocks between backends and removing a backend.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _insertBackendWithSecrets;
    private SqliteStatement? _addCopy;
    private SqliteStatement? _addParityCopy;
    private SqliteStatement? _countLeaving;
    private SqliteStatement? _countBackendKinds;
    private SqliteStatement[]? _forgetBackend;

    /// <summary>Records a new backend with its sealed credentials (null: none). Throws <see cref="CatalogException"/> (Constraint) when the name is taken.</summary>
    public void AddBackend(BackendRecord backend, byte[]? secretsBox)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentException.ThrowIfNullOrEmpty(backend.Name);
        ArgumentException.ThrowIfNullOrEmpty(backend.Type);
        ArgumentNullException.ThrowIfNull(backend.SettingsJson);
        _insertBackendWithSecrets ??= Prepare("INSERT INTO backends (name, type, settings, added_at, secrets) VALUES (?1, ?2, ?3, ?4, ?5)");
        InTransaction(() =>
        {
            _insertBackendWithSecrets.Bind(1, backend.Name);
            _insertBackendWithSecrets.Bind(2, backend.Type);
            _insertBackendWithSecrets.Bind(3, backend.SettingsJson);
            _insertBackendWithSecrets.Bind(4, backend.AddedAt.ToUnixTimeMilliseconds());
            if (secretsBox is null)
            {
                _insertBackendWithSecrets.BindNull(5);
            }
            else
            {
                _insertBackendWithSecrets.Bind(5, secretsBox);
            }

            return _insertBackendWithSecrets.Execute();
        });
    }

    /// <summary>
    /// Records copies of shards made on other backends (data blocks, and parity shards with their stripe position), in
    /// one transaction; a block or stripe deleted meanwhile is skipped. Call only after the copies are durable (FlushAsync).
    /// </summary>
    public void AddShardCopies(IReadOnlyList<(LeavingBlock Shard, string Backend)> copies)
    {
        ArgumentNullException.ThrowIfNull(copies);
        _addCopy ??= Prepare("""
            INSERT INTO chunks (block_id, backend, object_name, stored_at, verified_at)
            SELECT ?1, ?2, ?3, ?4, NULL WHERE EXISTS (SELECT 1 FROM blocks WHERE id = ?1)
            ON CONFLICT (block_id, backend) DO NOTHING
            """);
        _addParityCopy ??= Prepare("""
            INSERT INTO chunks (block_id, backend, object_name, stored_at, verified_at, is_parity, stripe_id, shard_index)
            SELECT ?1, ?2, ?3, ?4, NULL, 1, ?5, ?6 WHERE EXISTS (SELECT 1 FROM stripes WHERE id = ?5)
            ON CONFLICT (block_id, backend) DO NOTHING
            """);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        InTransaction(() =>
        {
            Span<byte> id = stackalloc byte[Hash256.Length];
            foreach (var (shard, backend) in copies)
            {
                var statement = shard.IsParity ? _addParityCopy : _addCopy;
                shard.Id.WriteTo(id);
                statement.Bind(1, id);
                statement.Bind(2, backend);
                statement.Bind(3, shard.ObjectName);
                statement.Bind(4, now);
                if (shard.IsParity)
                {
                    statement.Bind(5, shard.StripeId!.Value);
                    statement.Bind(6, shard.StripeIndex!.Value);
                }

                statement.Execute();
            }

            return copies.Count;
        });
    }

    /// <summary>
    /// Forgets backend <paramref name="name"/> with its chunk rows and upload queue, unless some block's only data copy
    /// is still on it (rebuildable or not): returns null then, changing nothing. Checked inside the transaction, so a
    /// block stored there meanwhile is never lost.
    /// </summary>
    public BackendRemoval? ForgetBackend(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _countLeaving ??= Prepare("""
            SELECT count(*) FROM chunks c WHERE c.backend = ?1 AND c.is_parity = 0
              AND NOT EXISTS (SELECT 1 FROM chunks o WHERE o.block_id = c.block_id AND o.backend <> ?1 AND o.is_parity = 0)
            """);
        _countBackendKinds ??= Prepare("SELECT coalesce(sum(is_parity = 0), 0), coalesce(sum(is_parity), 0) FROM chunks WHERE backend = ?1");
        _forgetBackend ??=
        [
            Prepare("DELETE FROM chunks WHERE backend = ?1"),
            Prepare("DELETE FROM upload_queue WHERE backend = ?1"),
            Prepare("DELETE FROM shard_faults WHERE backend = ?1"),
            Prepare("DELETE FROM backends WHERE name = ?1"),
        ];
        return InTransaction(() =>
        {
            if (Count(_countLeaving, name) > 0)
            {
                return null;
            }

            _countBackendKinds.Bind(1, name);
            BackendRemoval removal;
            try
            {
                _countBackendKinds.Step();
                removal = new BackendRemoval(_countBackendKinds.Int64(0), _countBackendKinds.Int64(1));
            }
            finally
            {
                _countBackendKinds.Reset();
            }

            foreach (var statement in _forgetBackend)
            {
                statement.Bind(1, name);
                statement.Execute();
            }

            return removal;
        });
    }

    private static long Count(SqliteStatement statement, string name)
    {
        statement.Bind(1, name);
        try
        {
            statement.Step();
            return statement.Int64(0);
        }
        finally
        {
            statement.Reset();
        }
    }
}

namespace Isg.Actors.Catalog;

/// <summary>The healer's writes: scrub findings, repairs and the pass position, one transaction per record.</summary>
public sealed partial class CatalogWriter
{
    /// <summary>The config key of the scrub position ("backend/object name" of the last chunk recorded).</summary>
    public const string ScrubCursorKey = "healer.cursor";

    /// <summary>The config key of the last finished pass's summary (JSON).</summary>
    public const string LastPassKey = "healer.last_pass";

    /// <summary>The config key another process sets to ask the running node's healer for a repair pass soon.</summary>
    public const string RepairRequestKey = "healer.repair_requested";

    private SqliteStatement? _stampVerified;
    private SqliteStatement? _clearFault;
    private SqliteStatement? _upsertFault;
    private SqliteStatement? _deleteConfig;

    /// <summary>
    /// Records a stretch of a scrub pass in one durable transaction (see <see cref="ScrubRecord"/>). Rows for chunks
    /// the catalogue no longer holds are ignored. Idempotent, except that each of <see cref="ScrubRecord.Stripes"/> is
    /// recorded at most once (a stripe whose blocks are gone or already striped is skipped and logged, as in a commit).
    /// </summary>
    public void RecordScrub(ScrubRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Stripes);
        for (var i = 0; i < record.Stripes.Count; i++)
        {
            Validate(record.Stripes[i], i);
        }

        _stampVerified ??= Prepare("UPDATE chunks SET verified_at = ?3 WHERE backend = ?1 AND object_name = ?2");
        _clearFault ??= Prepare("DELETE FROM shard_faults WHERE backend = ?1 AND object_name = ?2");
        _upsertFault ??= Prepare("""
            INSERT INTO shard_faults (backend, object_name, kind, found_at, message) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (backend, object_name) DO UPDATE SET kind = excluded.kind, found_at = excluded.found_at, message = excluded.message
            """);
        _deleteConfig ??= Prepare("DELETE FROM config WHERE key = ?1");
        InTransaction(() =>
        {
            var now = _database.NowUnixMilliseconds();
            foreach (var stripe in record.Stripes)
            {
                InsertStripe(stripe, now);
            }

            foreach (var address in record.Verified.Concat(record.Repaired))
            {
                _stampVerified.Bind(1, address.Backend);
                _stampVerified.Bind(2, address.ObjectName);
                _stampVerified.Bind(3, now);
                _stampVerified.Execute();
                _clearFault.Bind(1, address.Backend);
                _clearFault.Bind(2, address.ObjectName);
                _clearFault.Execute();
            }

            foreach (var fault in record.Faults)
            {
                _upsertFault.Bind(1, fault.Address.Backend);
                _upsertFault.Bind(2, fault.Address.ObjectName);
                _upsertFault.Bind(3, (int)fault.Kind);
                _upsertFault.Bind(4, fault.FoundAt.ToUnixTimeMilliseconds());
                _upsertFault.Bind(5, fault.Message);
                _upsertFault.Execute();
            }

            if (record.Cursor is { Length: 0 })
            {
                _deleteConfig.Bind(1, ScrubCursorKey);
                _deleteConfig.Execute();
            }
            else if (record.Cursor is { } cursor)
            {
                _setConfig.Bind(1, ScrubCursorKey);
                _setConfig.Bind(2, cursor);
                _setConfig.Execute();
            }

            if (record.ClearRepairRequest)
            {
                _deleteConfig.Bind(1, RepairRequestKey);
                _deleteConfig.Execute();
            }

            if (record.RewriteLeafHashes)
            {
                RewriteStaleLeafHashes();
            }

            if (record.LastPass is { } lastPass)
            {
                _setConfig.Bind(1, LastPassKey);
                _setConfig.Bind(2, lastPass);
                _setConfig.Execute();
            }

            return 0;
        });
    }
}

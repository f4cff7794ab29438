using Google.Protobuf;
using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Catalog;

/// <summary>
/// The replicated catalogue (DESIGN.md §5): every local write of a path is logged as an operation in the same
/// transaction that changes <c>files</c>, and operations from peers are applied and materialised into <c>files</c>
/// (the winner of each path, plus conflict copies). The merge rules are <see cref="CatalogReplica"/>'s.
/// </summary>
public sealed partial class CatalogWriter
{
    // How far ahead of our clock a peer's clock may be before we stop following it (its operations still apply).
    private const long MaxClockDriftMs = 10 * 60 * 1000;

    private CrdtStatements? _crdt;
    private HybridLogicalClock? _clock;

    private CrdtStatements Crdt => _crdt ??= new CrdtStatements(this);

    /// <summary>
    /// Applies operations received from peers, in one transaction: each one not yet held is logged, what it supersedes
    /// stops surviving, and every path it touches is materialised again in <c>files</c>. An operation this catalogue
    /// already holds, or collected (at or below its version vector), is not logged again (only its path is shown again,
    /// which repairs drift), so applying is idempotent and the order does not matter. Files whose blocks are not held here get block rows without locations (wanted blocks).
    /// </summary>
    public CrdtApplyResult ApplyOperations(IReadOnlyList<CatalogOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return InTransaction(() =>
        {
            var touched = new SortedSet<string>(StringComparer.Ordinal);
            var devices = new HashSet<DeviceId>();
            var applied = 0;
            foreach (var operation in operations)
            {
                if (Holds(operation.Id) || operation.Id.Sequence <= Contiguous(operation.Id.Device))
                {
                    // Nothing new, but the path is shown again: a drift repair sends operations already held to put
                    // right a view that went astray.
                    touched.Add(operation.Path);
                    continue;
                }

                var superseded = IsSuperseded(operation.Id, operation.Path);
                InsertOperation(operation, survives: !superseded);
                foreach (var id in operation.Supersedes)
                {
                    Supersede(id, operation.Path);
                }

                ObserveClock(operation.Clock);
                touched.Add(operation.Path);
                devices.Add(operation.Id.Device);
                applied++;
            }

            foreach (var device in devices)
            {
                AdvanceContiguous(device);
            }

            var now = _database.NowUnixMilliseconds();
            foreach (var path in touched)
            {
                Materialize(path, now);
            }

            _ = TakeReleased();
            return new CrdtApplyResult(applied, touched.Count);
        });
    }

    /// <summary>
    /// Logs a write operation for every entry of <c>files</c> that no surviving operation accounts for (entries made
    /// before this catalogue had a device, or by an older version), in one transaction. Returns how many were logged;
    /// 0 without a local device.
    /// </summary>
    public int RecordMissingOperations()
    {
        if (_database.Options.LocalDevice is null)
        {
            return 0;
        }

        return InTransaction(() =>
        {
            var statements = Crdt;
            var missing = new List<(string Path, PathVersion Version)>();
            try
            {
                while (statements.UnloggedFiles.Step())
                {
                    missing.Add((statements.UnloggedFiles.Text(0), ReadVersion(statements.UnloggedFiles, 1)));
                }
            }
            finally
            {
                statements.UnloggedFiles.Reset();
            }

            foreach (var (path, version) in missing)
            {
                // No surviving operation accounts for these paths, so there is nothing to supersede.
                AppendLocal(path, version, []);
            }

            return missing.Count;
        });
    }

    /// <summary>Records the version vector <paramref name="member"/> last said it holds (for collecting tombstones); durable.</summary>
    public void RecordMemberVector(DeviceId member, VersionVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        InTransaction(() =>
        {
            var statements = Crdt;
            Span<byte> memberBytes = stackalloc byte[DeviceId.Length];
            Span<byte> deviceBytes = stackalloc byte[DeviceId.Length];
            member.Hash.WriteTo(memberBytes);
            foreach (var (device, sequence) in vector.Entries)
            {
                device.Hash.WriteTo(deviceBytes);
                statements.UpsertMemberVector.Bind(1, memberBytes);
                statements.UpsertMemberVector.Bind(2, deviceBytes);
                statements.UpsertMemberVector.Bind(3, checked((long)sequence));
                statements.UpsertMemberVector.Execute();
            }

            return 0;
        });
    }

    /// <summary>
    /// Drops what every member has seen and no longer needs: operations that no longer survive, and deletes that are
    /// a path's only survivors, at or below what this catalogue and every member in <paramref name="members"/> hold
    /// (their last recorded vectors). Records how far each device's log was collected, so a peer behind that is sent
    /// the state instead of the log. One transaction; returns how many operations were dropped.
    /// </summary>
    public int CollectOperations(IReadOnlyCollection<DeviceId> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return InTransaction(() =>
        {
            var statements = Crdt;
            var vectors = new List<VersionVector> { ReadContiguousVector(statements) };
            foreach (var member in members)
            {
                vectors.Add(ReadMemberVector(statements, member));
            }

            var seen = VersionVector.Meet(vectors);
            var dropped = 0;
            Span<byte> deviceBytes = stackalloc byte[DeviceId.Length];
            foreach (var (device, sequence) in seen.Entries)
            {
                device.Hash.WriteTo(deviceBytes);
                foreach (var statement in (ReadOnlySpan<SqliteStatement>)[statements.DropDead, statements.DropDeadTombstones])
                {
                    statement.Bind(1, deviceBytes);
                    statement.Bind(2, checked((long)sequence));
                    dropped += statement.Execute();
                }

                statements.SetCollected.Bind(1, deviceBytes);
                statements.SetCollected.Bind(2, checked((long)sequence));
                statements.SetCollected.Execute();
            }

            // A superseded record at or below the contiguous prefix is covered by that prefix: such an operation, if it
            // arrives again, is skipped as collected.
            statements.ClearSuperseded.Execute();
            return dropped;
        });
    }

    /// <summary>
    /// After taking a peer's surviving state (because it had collected operations this catalogue lacked), counts the
    /// collected part of each device's log as held, so the next request asks only for what follows. One transaction.
    /// </summary>
    public void AdoptCollected(VersionVector collected)
    {
        ArgumentNullException.ThrowIfNull(collected);
        InTransaction(() =>
        {
            foreach (var (device, sequence) in collected.Entries)
            {
                SetContiguous(device, sequence);
                AdvanceContiguous(device);
            }

            return 0;
        });
    }

    // Called inside Commit and RemoveFiles: logs a local write (a delete when version is null) of a path whose files
    // row the caller has just written. A conflict copy written or removed settles its source path first; a source
    // path written keeps its copies as real entries, so no version is ever dropped without a trace.
    private void LogLocalWrite(string path, PathVersion? version, IReadOnlySet<string>? removedInBatch)
    {
        if (_database.Options.LocalDevice is null)
        {
            return;
        }

        var source = SourceOf(path);
        if (source is not null)
        {
            if (removedInBatch?.Contains(source) == true)
            {
                // The source's own delete in this batch supersedes every version the copy showed.
                return;
            }

            var sourceSurvivors = Survivors(source);
            var resolution = PathResolution.Resolve(source, sourceSurvivors);
            SettleCopies(source, resolution, keep: c => c.Path != path && removedInBatch?.Contains(c.Path) != true);
            AppendLocal(source, resolution.Winner?.Version, sourceSurvivors);
            if (version is null)
            {
                return;
            }
        }
        else
        {
            var survivors = Survivors(path);
            if (version is null && survivors.Count == 0)
            {
                return;
            }

            SettleCopies(path, PathResolution.Resolve(path, survivors), keep: c => removedInBatch?.Contains(c.Path) != true);

            // Settling writes only at the copies' paths, so the survivors of `path` are still these.
            AppendLocal(path, version, survivors);
            return;
        }

        AppendLocal(path, version);
    }

    // Turns the conflict copies of `source` that `keep` selects into entries of their own (an operation at the copy's
    // path), and forgets that they were derived.
    private void SettleCopies(string source, PathResolution resolution, Func<ConflictCopy, bool> keep)
    {
        foreach (var copy in resolution.Copies)
        {
            Crdt.DeleteCopy.Bind(1, copy.Path);
            if (Crdt.DeleteCopy.Execute() > 0 && keep(copy))
            {
                AppendLocal(copy.Path, copy.Operation.Version);
            }
        }

        Crdt.DeleteCopiesOf.Bind(1, source);
        Crdt.DeleteCopiesOf.Execute();
    }

    // Logs a local write of `path` superseding its survivors (read here unless the caller has just read them).
    private void AppendLocal(string path, PathVersion? version, IReadOnlyList<CatalogOperation>? survivors = null)
    {
        var device = _database.Options.LocalDevice!.Value;
        var clock = LocalClock(device).Now(_database.NowUnixMilliseconds());

        // Read inside the transaction each time: another process (a CLI add beside the running node) may have logged
        // operations of this device since.
        var sequence = Contiguous(device) + 1;
        var supersedes = (survivors ?? Survivors(path)).Select(o => o.Id).Order().ToArray();
        var operation = new CatalogOperation(new OperationId(device, sequence), clock, path, version, supersedes);
        InsertOperation(operation, survives: true);
        foreach (var id in supersedes)
        {
            Supersede(id, path);
        }

        SetContiguous(device, sequence);
    }

    private HybridLogicalClock LocalClock(DeviceId device)
    {
        if (_clock is not null)
        {
            return _clock;
        }

        var statements = Crdt;
        var clock = new HybridLogicalClock(device, MaxClockDriftMs);
        if (statements.LatestClock.Step())
        {
            clock.Restore(new HlcTimestamp(statements.LatestClock.Int64(0), (ushort)statements.LatestClock.Int32(1), device.TieBreak));
        }

        statements.LatestClock.Reset();
        return _clock = clock;
    }

    private void ObserveClock(HlcTimestamp remote)
    {
        if (_database.Options.LocalDevice is not { } device)
        {
            return;
        }

        // A clock further ahead than the drift bound is not followed; the operation still applies as it is.
        if (!LocalClock(device).TryObserve(remote, _database.NowUnixMilliseconds(), out _, out var error))
        {
            _database.Options.Logger.LogWarning("Catalogue {Path}: not following a peer clock: {Error}", _path, error.Message);
        }
    }

    // Rewrites the files rows of `path` and of its conflict copies (old and new) from the surviving operations.
    private void Materialize(string path, long now)
    {
        var statements = Crdt;
        var resolution = PathResolution.Resolve(path, Survivors(path));
        var affected = new SortedSet<string>(StringComparer.Ordinal) { path };
        statements.CopiesOf.Bind(1, path);
        while (statements.CopiesOf.Step())
        {
            affected.Add(statements.CopiesOf.Text(0));
        }

        statements.CopiesOf.Reset();
        statements.DeleteCopiesOf.Bind(1, path);
        statements.DeleteCopiesOf.Execute();
        foreach (var copy in resolution.Copies)
        {
            statements.UpsertCopy.Bind(1, copy.Path);
            statements.UpsertCopy.Bind(2, path);
            statements.UpsertCopy.Execute();
            affected.Add(copy.Path);
        }

        foreach (var shown in affected)
        {
            // The path's own resolution is known already; only the other affected paths are resolved here.
            var own = shown == path ? resolution : PathResolution.Resolve(shown, Survivors(shown));
            Show(shown, own.Winner?.Version ?? CopiedVersion(shown, path, resolution), now);
        }
    }

    // The losing version a conflict copy at `path` keeps (null when `path` names no copy). A path with a version of its
    // own is never overwritten by a copy: callers ask only when it has none. `known` is the resolution of `knownPath`.
    private PathVersion? CopiedVersion(string path, string knownPath, PathResolution known)
    {
        if (SourceOf(path) is not { } source)
        {
            return null;
        }

        var resolution = source == knownPath ? known : PathResolution.Resolve(source, Survivors(source));
        return resolution.Copies.FirstOrDefault(c => c.Path == path)?.Operation.Version;
    }

    // The path whose conflict copy `path` is, or null.
    private string? SourceOf(string path)
    {
        var find = Crdt.FindCopy;
        find.Bind(1, path);
        var source = find.Step() ? find.Text(0) : null;
        find.Reset();
        return source;
    }

    // Makes the files row of `path` show `version` (none when null), leaving an identical row alone.
    private void Show(string path, PathVersion? version, long now)
    {
        var statements = Crdt;
        statements.FileVersionAt.Bind(1, path);
        long? fileId = null;
        PathVersion? current = null;
        if (statements.FileVersionAt.Step())
        {
            fileId = statements.FileVersionAt.Int64(0);
            current = ReadVersion(statements.FileVersionAt, 1);
        }

        statements.FileVersionAt.Reset();
        if (Equals(current, version))
        {
            return;
        }

        if (fileId is { } id)
        {
            Release(id);
        }

        if (version is not null)
        {
            var commit = CrdtVersions.ToCommit(path, version);
            foreach (var block in commit.Blocks)
            {
                EnsureBlockRow(block.Id, block.Length, now);
            }

            InsertFile(commit, now);
        }
    }

    // A block named by a file from a peer may not be held here: its row is made without a location (wanted).
    private void EnsureBlockRow(BlockId id, int length, long now)
    {
        Span<byte> bytes = stackalloc byte[Hash256.Length];
        id.WriteTo(bytes);
        _insertBlock.Bind(1, bytes);
        _insertBlock.Bind(2, length);
        _insertBlock.Bind(3, 0);
        _insertBlock.Bind(4, CrdtVersions.NotHeldCompression);
        _insertBlock.Bind(5, now);
        _insertBlock.Execute();
    }

    private List<CatalogOperation> Survivors(string path)
    {
        var statements = Crdt;
        var survivors = new List<CatalogOperation>();
        statements.SurvivorsOf.Bind(1, path);
        try
        {
            while (statements.SurvivorsOf.Step())
            {
                survivors.Add(CrdtVersions.DecodeStored(statements.SurvivorsOf.Blob(0), _path));
            }
        }
        finally
        {
            statements.SurvivorsOf.Reset();
        }

        return survivors;
    }

    private bool Holds(OperationId id)
    {
        var statements = Crdt;
        Span<byte> device = stackalloc byte[DeviceId.Length];
        id.Device.Hash.WriteTo(device);
        statements.HoldsOperation.Bind(1, device);
        statements.HoldsOperation.Bind(2, checked((long)id.Sequence));
        var held = statements.HoldsOperation.Step();
        statements.HoldsOperation.Reset();
        return held;
    }

    private bool IsSuperseded(OperationId id, string path)
    {
        var statements = Crdt;
        Span<byte> device = stackalloc byte[DeviceId.Length];
        id.Device.Hash.WriteTo(device);
        statements.IsSuperseded.Bind(1, device);
        statements.IsSuperseded.Bind(2, checked((long)id.Sequence));
        statements.IsSuperseded.Bind(3, path);
        var superseded = statements.IsSuperseded.Step();
        statements.IsSuperseded.Reset();
        return superseded;
    }

    // Records that `id` (an operation on `path`) is superseded, whether or not it is held yet.
    private void Supersede(OperationId id, string path)
    {
        var statements = Crdt;
        Span<byte> device = stackalloc byte[DeviceId.Length];
        id.Device.Hash.WriteTo(device);
        foreach (var statement in (ReadOnlySpan<SqliteStatement>)[statements.InsertSuperseded, statements.MarkSuperseded])
        {
            statement.Bind(1, device);
            statement.Bind(2, checked((long)id.Sequence));
            statement.Bind(3, path);
            statement.Execute();
        }
    }

    private void InsertOperation(CatalogOperation operation, bool survives)
    {
        var statements = Crdt;
        Span<byte> device = stackalloc byte[DeviceId.Length];
        operation.Id.Device.Hash.WriteTo(device);
        var insert = statements.InsertOperation;
        insert.Bind(1, device);
        insert.Bind(2, checked((long)operation.Id.Sequence));
        insert.Bind(3, operation.Path);
        insert.Bind(4, operation.Clock.WallMs);
        insert.Bind(5, operation.Clock.Logical);
        insert.Bind(6, operation.IsTombstone ? 1 : 0);
        insert.Bind(7, survives ? 1 : 0);
        insert.Bind(8, CrdtWire.ToWire(operation).ToByteArray());
        insert.Execute();
    }

    private ulong Contiguous(DeviceId device)
    {
        var statements = Crdt;
        Span<byte> bytes = stackalloc byte[DeviceId.Length];
        device.Hash.WriteTo(bytes);
        statements.ReadContiguous.Bind(1, bytes);
        var contiguous = statements.ReadContiguous.Step() ? (ulong)statements.ReadContiguous.Int64(0) : 0;
        statements.ReadContiguous.Reset();
        return contiguous;
    }

    private void SetContiguous(DeviceId device, ulong sequence)
    {
        var statements = Crdt;
        Span<byte> bytes = stackalloc byte[DeviceId.Length];
        device.Hash.WriteTo(bytes);
        statements.SetContiguous.Bind(1, bytes);
        statements.SetContiguous.Bind(2, checked((long)sequence));
        statements.SetContiguous.Execute();
    }

    // Moves the device's contiguous prefix over every operation now held right after it.
    private void AdvanceContiguous(DeviceId device)
    {
        var next = Contiguous(device);
        while (Holds(new OperationId(device, next + 1)))
        {
            next++;
        }

        SetContiguous(device, next);
    }

    private static VersionVector ReadContiguousVector(CrdtStatements statements) => ReadVector(statements.AllContiguous);

    private static VersionVector ReadMemberVector(CrdtStatements statements, DeviceId member)
    {
        Span<byte> bytes = stackalloc byte[DeviceId.Length];
        member.Hash.WriteTo(bytes);
        statements.MemberVector.Bind(1, bytes);
        return ReadVector(statements.MemberVector);
    }

    // Rows of (device, sequence) from a bound statement, as a vector; the statement is reset for its next use.
    private static VersionVector ReadVector(SqliteStatement rows)
    {
        var entries = new List<KeyValuePair<DeviceId, ulong>>();
        try
        {
            while (rows.Step())
            {
                entries.Add(new(DeviceId.FromHash(Hash256.FromBytes(rows.Blob(0))), (ulong)rows.Int64(1)));
            }
        }
        finally
        {
            rows.Reset();
        }

        return VersionVector.From(entries);
    }

    // Columns (kind, size, mode, mtime_ns, link_target, merkle_root, manifest) from `first` on.
    private static PathVersion ReadVersion(SqliteStatement row, int first) => new(
        (byte)row.Int32(first),
        row.Int64(first + 1),
        row.Int32(first + 2),
        row.Int64(first + 3),
        row.IsNull(first + 4) ? null : row.Text(first + 4),
        Hash256.FromBytes(row.Blob(first + 5)),
        row.Blob(first + 6).ToArray());

    // Prepared on first use, so a writer that never touches the replicated catalogue pays nothing.
    private sealed class CrdtStatements(CatalogWriter writer)
    {
        private const string VersionColumns = "f.kind, f.size, f.mode, f.mtime_ns, f.link_target, f.merkle_root, m.manifest";

        public SqliteStatement InsertOperation { get; } = writer.Prepare("""
            INSERT INTO crdt_operations (device, sequence, path, wall_ms, logical, tombstone, survives, encoded)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """);

        public SqliteStatement HoldsOperation { get; } = writer.Prepare("SELECT 1 FROM crdt_operations WHERE device = ?1 AND sequence = ?2");

        public SqliteStatement IsSuperseded { get; } = writer.Prepare(
            "SELECT 1 FROM crdt_superseded WHERE device = ?1 AND sequence = ?2 AND path = ?3");

        public SqliteStatement InsertSuperseded { get; } = writer.Prepare(
            "INSERT OR IGNORE INTO crdt_superseded (device, sequence, path) VALUES (?1, ?2, ?3)");

        // Only an operation on the same path: a peer cannot retire another path's version.
        public SqliteStatement MarkSuperseded { get; } = writer.Prepare(
            "UPDATE crdt_operations SET survives = 0 WHERE device = ?1 AND sequence = ?2 AND path = ?3");

        public SqliteStatement SurvivorsOf { get; } = writer.Prepare(
            "SELECT encoded FROM crdt_operations WHERE path = ?1 AND survives = 1 ORDER BY device, sequence");

        public SqliteStatement LatestClock { get; } = writer.Prepare(
            "SELECT wall_ms, logical FROM crdt_operations ORDER BY wall_ms DESC, logical DESC LIMIT 1");

        public SqliteStatement ReadContiguous { get; } = writer.Prepare("SELECT contiguous FROM crdt_devices WHERE device = ?1");

        public SqliteStatement SetContiguous { get; } = writer.Prepare("""
            INSERT INTO crdt_devices (device, contiguous) VALUES (?1, ?2)
            ON CONFLICT (device) DO UPDATE SET contiguous = max(contiguous, excluded.contiguous)
            """);

        public SqliteStatement AllContiguous { get; } = writer.Prepare("SELECT device, contiguous FROM crdt_devices WHERE contiguous > 0");

        public SqliteStatement MemberVector { get; } = writer.Prepare("SELECT device, sequence FROM crdt_member_vectors WHERE member = ?1");

        public SqliteStatement UpsertMemberVector { get; } = writer.Prepare("""
            INSERT INTO crdt_member_vectors (member, device, sequence) VALUES (?1, ?2, ?3)
            ON CONFLICT (member, device) DO UPDATE SET sequence = max(sequence, excluded.sequence)
            """);

        public SqliteStatement DropDead { get; } = writer.Prepare(
            "DELETE FROM crdt_operations WHERE device = ?1 AND sequence <= ?2 AND survives = 0");

        // A delete that is its path's only survivor, and every survivor of the path a delete seen by all.
        public SqliteStatement DropDeadTombstones { get; } = writer.Prepare("""
            DELETE FROM crdt_operations AS o
            WHERE o.device = ?1 AND o.sequence <= ?2 AND o.survives = 1 AND o.tombstone = 1
              AND NOT EXISTS (SELECT 1 FROM crdt_operations s WHERE s.path = o.path AND s.survives = 1 AND s.tombstone = 0)
            """);

        public SqliteStatement SetCollected { get; } = writer.Prepare("""
            INSERT INTO crdt_devices (device, collected) VALUES (?1, ?2)
            ON CONFLICT (device) DO UPDATE SET collected = max(collected, excluded.collected)
            """);

        public SqliteStatement ClearSuperseded { get; } = writer.Prepare("""
            DELETE FROM crdt_superseded
            WHERE sequence <= coalesce((SELECT contiguous FROM crdt_devices d WHERE d.device = crdt_superseded.device), 0)
            """);

        public SqliteStatement FindCopy { get; } = writer.Prepare("SELECT source_path FROM crdt_conflict_copies WHERE path = ?1");

        public SqliteStatement CopiesOf { get; } = writer.Prepare("SELECT path FROM crdt_conflict_copies WHERE source_path = ?1");

        public SqliteStatement UpsertCopy { get; } = writer.Prepare("""
            INSERT INTO crdt_conflict_copies (path, source_path) VALUES (?1, ?2)
            ON CONFLICT (path) DO UPDATE SET source_path = excluded.source_path
            """);

        public SqliteStatement DeleteCopy { get; } = writer.Prepare("DELETE FROM crdt_conflict_copies WHERE path = ?1");

        public SqliteStatement DeleteCopiesOf { get; } = writer.Prepare("DELETE FROM crdt_conflict_copies WHERE source_path = ?1");

        public SqliteStatement FileVersionAt { get; } = writer.Prepare(
            $"SELECT f.id, {VersionColumns} FROM files f JOIN file_manifests m ON m.file_id = f.id WHERE f.path = ?1");

        // Entries no surviving operation accounts for, conflict copies aside.
        public SqliteStatement UnloggedFiles { get; } = writer.Prepare($"""
            SELECT f.path, {VersionColumns} FROM files f JOIN file_manifests m ON m.file_id = f.id
            WHERE NOT EXISTS (SELECT 1 FROM crdt_operations o WHERE o.path = f.path AND o.survives = 1)
              AND NOT EXISTS (SELECT 1 FROM crdt_conflict_copies c WHERE c.path = f.path)
            ORDER BY f.path
            """);
    }
}

namespace Isg.Actors.Catalog;

/// <summary>
/// The catalogue schema as an ordered list of steps numbered 1..n. Append new steps; never edit or renumber a
/// released one, because databases in the field record the number they reached in <c>PRAGMA user_version</c>.
/// </summary>
public static class CatalogMigrations
{
    /// <summary><c>PRAGMA application_id</c> of an Isg catalogue: "ISG1" as a big-endian integer.</summary>
    public const int ApplicationId = 0x49534731;

    // Design notes for v1:
    // - Refcounts are maintained by triggers, so no code path can forget one; refcount equals the number of
    //   file_blocks rows naming the block plus (from v3) the number of snapshot_blocks rows naming it
    //   (IntegrityCheck verifies it).
    // - Manifests live in their own table: they can be large (tens of bytes per block), and keeping them out of
    //   files keeps listing scans on small rows.
    // - files.id is AUTOINCREMENT so ids are never reused: a reader holding a stale id finds nothing, never
    //   another file's blocks.
    // - No index on refcount = 0: every new block would enter it and leave it again within its commit (two extra
    //   b-tree writes per block); the only reader is crash-recovery garbage collection, which can afford a scan.
    // - Times are Unix milliseconds (UTC), except mtime_ns which is the file's own nanosecond timestamp.
    // - Paths compare with BINARY collation (UTF-8 bytes, i.e. code point order); prefix queries are index ranges.
    private const string InitialSchema = """
        CREATE TABLE config (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE blocks (
            id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
            plain_size  INTEGER NOT NULL CHECK (plain_size >= 0),
            stored_size INTEGER NOT NULL CHECK (stored_size >= 0),
            compression INTEGER NOT NULL,
            refcount    INTEGER NOT NULL DEFAULT 0 CHECK (refcount >= 0),
            created_at  INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE chunks (
            block_id    BLOB NOT NULL REFERENCES blocks (id) ON DELETE CASCADE,
            backend     TEXT NOT NULL,
            object_name TEXT NOT NULL,
            stored_at   INTEGER NOT NULL,
            verified_at INTEGER,
            PRIMARY KEY (block_id, backend)
        ) WITHOUT ROWID;
        -- Per-backend scans (scrub, backend removal) and "is this listed object ours?" during orphan collection.
        CREATE INDEX chunks_object ON chunks (backend, object_name);

        CREATE TABLE files (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            path        TEXT NOT NULL UNIQUE COLLATE BINARY CHECK (length(path) > 0),
            kind        INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
            size        INTEGER NOT NULL CHECK (size >= 0),
            mode        INTEGER NOT NULL,
            mtime_ns    INTEGER NOT NULL,
            link_target TEXT,
            merkle_root BLOB NOT NULL CHECK (length(merkle_root) = 32),
            block_count INTEGER NOT NULL CHECK (block_count >= 0),
            added_at    INTEGER NOT NULL
        );

        CREATE TABLE file_manifests (
            file_id  INTEGER PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
            manifest BLOB NOT NULL
        );

        CREATE TABLE file_blocks (
            file_id  INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
            seq      INTEGER NOT NULL CHECK (seq >= 0),
            block_id BLOB NOT NULL REFERENCES blocks (id),
            "offset" INTEGER NOT NULL CHECK ("offset" >= 0),
            length   INTEGER NOT NULL CHECK (length >= 0),
            PRIMARY KEY (file_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX file_blocks_block ON file_blocks (block_id);

        CREATE TRIGGER file_blocks_reference AFTER INSERT ON file_blocks
        BEGIN
            UPDATE blocks SET refcount = refcount + 1 WHERE id = NEW.block_id;
        END;

        CREATE TRIGGER file_blocks_release AFTER DELETE ON file_blocks
        BEGIN
            UPDATE blocks SET refcount = refcount - 1 WHERE id = OLD.block_id;
        END;

        -- Rows are replaced, never re-pointed: an update would bypass the refcount triggers.
        CREATE TRIGGER file_blocks_immutable BEFORE UPDATE OF block_id ON file_blocks
        BEGIN
            SELECT RAISE(ABORT, 'file_blocks.block_id is immutable; delete and insert instead');
        END;

        CREATE TABLE snapshots (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            root        BLOB NOT NULL CHECK (length(root) = 32),
            parent      INTEGER REFERENCES snapshots (id),
            created_at  INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );

        -- Append-only; no foreign keys because the log outlives the files and blocks it mentions.
        CREATE TABLE access_log (
            id       INTEGER PRIMARY KEY,
            block_id BLOB,
            file_id  INTEGER,
            kind     INTEGER NOT NULL,
            at       INTEGER NOT NULL
        );
        CREATE INDEX access_log_block ON access_log (block_id, at) WHERE block_id IS NOT NULL;

        PRAGMA application_id = 1230194481;
        """;

    // Design notes for v2 (stripes):
    // - A parity shard has a chunks row but no blocks row: its block_id is the SHA-256 of the shard bytes (scrub
    //   verifies it by hashing), so chunks loses its foreign key to blocks. Triggers keep the old cascade: deleting
    //   a block deletes its data chunks, deleting a stripe deletes its parity chunks and unlinks its blocks.
    // - chunks is rebuilt (create, copy, drop, rename) because SQLite cannot drop a foreign key in place.
    // - The built-in backend "local" is recorded with a path relative to the repository root, so a moved
    //   repository keeps working; backends added later record absolute paths.
    private const string StripesSchema = """
        CREATE TABLE backends (
            name     TEXT PRIMARY KEY NOT NULL CHECK (length(name) > 0),
            type     TEXT NOT NULL,
            settings TEXT NOT NULL,
            added_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO backends (name, type, settings, added_at)
        VALUES ('local', 'local', '{"path":"blocks"}', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

        CREATE TABLE stripes (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            k          INTEGER NOT NULL CHECK (k BETWEEN 1 AND 255),
            m          INTEGER NOT NULL CHECK (m BETWEEN 0 AND 254),
            shard_size INTEGER NOT NULL CHECK (shard_size >= 0),
            created_at INTEGER NOT NULL
        );

        ALTER TABLE blocks ADD COLUMN stripe_id INTEGER;
        ALTER TABLE blocks ADD COLUMN stripe_index INTEGER CHECK (stripe_index IS NULL OR stripe_index >= 0);
        CREATE INDEX blocks_stripe ON blocks (stripe_id, stripe_index) WHERE stripe_id IS NOT NULL;

        CREATE TABLE chunks_v2 (
            block_id    BLOB NOT NULL CHECK (length(block_id) = 32),
            backend     TEXT NOT NULL,
            object_name TEXT NOT NULL,
            stored_at   INTEGER NOT NULL,
            verified_at INTEGER,
            is_parity   INTEGER NOT NULL DEFAULT 0 CHECK (is_parity IN (0, 1)),
            stripe_id   INTEGER,
            shard_index INTEGER,
            PRIMARY KEY (block_id, backend),
            CHECK (is_parity = 0 OR (stripe_id IS NOT NULL AND shard_index IS NOT NULL))
        ) WITHOUT ROWID;
        INSERT INTO chunks_v2 (block_id, backend, object_name, stored_at, verified_at)
            SELECT block_id, backend, object_name, stored_at, verified_at FROM chunks;
        DROP TABLE chunks;
        ALTER TABLE chunks_v2 RENAME TO chunks;
        CREATE INDEX chunks_object ON chunks (backend, object_name);
        CREATE INDEX chunks_parity ON chunks (stripe_id) WHERE is_parity = 1;

        CREATE TRIGGER blocks_delete_chunks AFTER DELETE ON blocks
        BEGIN
            DELETE FROM chunks WHERE block_id = OLD.id AND is_parity = 0;
        END;

        CREATE TRIGGER stripes_delete AFTER DELETE ON stripes
        BEGIN
            DELETE FROM chunks WHERE stripe_id = OLD.id AND is_parity = 1;
            UPDATE blocks SET stripe_id = NULL, stripe_index = NULL WHERE stripe_id = OLD.id;
        END;
        """;

    // Design notes for v3 (snapshots):
    // - The v1 snapshots table was never written, so it is dropped and recreated with a unique name and totals.
    // - A snapshot copies each entry's row and manifest (snapshot_files) and records each distinct block once
    //   (snapshot_blocks); it never copies a block. Triggers on snapshot_blocks keep blocks.refcount counting
    //   snapshot references, so a block a snapshot names is never released by rm or collected by gc.
    // - Deleting a snapshot cascades to its rows; the cascade fires the release trigger.
    private const string SnapshotsSchema = """
        DROP TABLE snapshots;

        CREATE TABLE snapshots (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            name        TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
            root        BLOB NOT NULL CHECK (length(root) = 32),
            parent      INTEGER REFERENCES snapshots (id),
            created_at  INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            file_count  INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
            total_size  INTEGER NOT NULL DEFAULT 0 CHECK (total_size >= 0),
            block_count INTEGER NOT NULL DEFAULT 0 CHECK (block_count >= 0)
        );
        CREATE INDEX snapshots_parent ON snapshots (parent);

        CREATE TABLE snapshot_files (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
            path        TEXT NOT NULL COLLATE BINARY,
            kind        INTEGER NOT NULL,
            size        INTEGER NOT NULL,
            mode        INTEGER NOT NULL,
            mtime_ns    INTEGER NOT NULL,
            link_target TEXT,
            merkle_root BLOB NOT NULL,
            block_count INTEGER NOT NULL,
            manifest    BLOB NOT NULL,
            PRIMARY KEY (snapshot_id, path)
        ) WITHOUT ROWID;

        CREATE TABLE snapshot_blocks (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
            block_id    BLOB NOT NULL REFERENCES blocks (id),
            PRIMARY KEY (snapshot_id, block_id)
        ) WITHOUT ROWID;
        CREATE INDEX snapshot_blocks_block ON snapshot_blocks (block_id);

        CREATE TRIGGER snapshot_blocks_reference AFTER INSERT ON snapshot_blocks
        BEGIN
            UPDATE blocks SET refcount = refcount + 1 WHERE id = NEW.block_id;
        END;

        CREATE TRIGGER snapshot_blocks_release AFTER DELETE ON snapshot_blocks
        BEGIN
            UPDATE blocks SET refcount = refcount - 1 WHERE id = OLD.block_id;
        END;

        CREATE TRIGGER snapshot_blocks_immutable BEFORE UPDATE ON snapshot_blocks
        BEGIN
            SELECT RAISE(ABORT, 'snapshot_blocks rows are immutable; delete and insert instead');
        END;
        """;

    // The healer's findings, so that `isg health` in another process sees what the last scrub found. A row is
    // one shard (a data chunk or a parity chunk, named by backend and object) found missing or corrupt; it is
    // deleted when the shard is repaired or verifies again. No foreign key: a finding may outlive the chunk row
    // (a file removed meanwhile), and health ignores findings whose chunk is gone.
    private const string ShardFaultsSchema = """
        CREATE TABLE shard_faults (
            backend     TEXT NOT NULL,
            object_name TEXT NOT NULL,
            kind        INTEGER NOT NULL CHECK (kind IN (1, 2)),
            found_at    INTEGER NOT NULL,
            message     TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (backend, object_name)
        ) WITHOUT ROWID;
        """;

    // Backend credentials: one AES-256-GCM box per backend (BackendSecrets: version, nonce, ciphertext of a JSON
    // object, tag; the backend's name is the associated data, so a box moved to another row fails to open). NULL
    // when the backend has none. Sealed with a subkey of the repository key, so the catalogue alone reveals nothing.
    private const string BackendSecretsSchema = """
        ALTER TABLE backends ADD COLUMN secrets BLOB;
        """;

    // The persistent upload queue of remote backends (QueuedBackend): one row per object whose bytes are spooled
    // under backends/NAME/spool and not yet confirmed by the platform. The spool file is written and synced before
    // its row commits, and deleted only after the row is; a spool file without a row was never acknowledged. Times
    // are Unix milliseconds; last_error is a classification and a short message, never a credential.
    private const string UploadQueueSchema = """
        CREATE TABLE upload_queue (
            backend         TEXT NOT NULL,
            object_name     TEXT NOT NULL,
            length          INTEGER NOT NULL CHECK (length >= 0),
            enqueued_at     INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            last_error      TEXT,
            next_attempt_at INTEGER NOT NULL,
            PRIMARY KEY (backend, object_name)
        ) WITHOUT ROWID;
        """;

    // The replicated catalogue (DESIGN.md §5). crdt_operations is the log of every device's operations on path
    // registers, each stored as its encoded peer.proto CatalogOperation; `survives` marks the register's current
    // values (no operation held supersedes it). crdt_superseded remembers what an operation superseded even before
    // the superseded operation arrives, so operations apply in any order with the same result; the path is kept so a
    // peer naming another path's operation cannot remove it. crdt_devices records, per device, the contiguous prefix of
    // its log held here (the version vector; an operation at or below it that is not held was collected, and a peer
    // that sends it again is ignored), how far its operations have been collected, and the vector each member peer last said it holds (for collecting
    // tombstones every member has seen). files stays the materialised view: the winner of each path, plus conflict
    // copies, which crdt_conflict_copies ties to the path they come from.
    private const string CrdtSchema = """
        CREATE TABLE crdt_operations (
            device    BLOB NOT NULL CHECK (length(device) = 32),
            sequence  INTEGER NOT NULL CHECK (sequence >= 1),
            path      TEXT NOT NULL COLLATE BINARY,
            wall_ms   INTEGER NOT NULL,
            logical   INTEGER NOT NULL,
            tombstone INTEGER NOT NULL CHECK (tombstone IN (0, 1)),
            survives  INTEGER NOT NULL CHECK (survives IN (0, 1)),
            encoded   BLOB NOT NULL,
            PRIMARY KEY (device, sequence)
        ) WITHOUT ROWID;
        CREATE INDEX crdt_operations_surviving ON crdt_operations (path) WHERE survives = 1;

        CREATE TABLE crdt_superseded (
            device   BLOB NOT NULL,
            sequence INTEGER NOT NULL,
            path     TEXT NOT NULL COLLATE BINARY,
            PRIMARY KEY (device, sequence)
        ) WITHOUT ROWID;

        CREATE TABLE crdt_devices (
            device     BLOB PRIMARY KEY NOT NULL CHECK (length(device) = 32),
            contiguous INTEGER NOT NULL DEFAULT 0 CHECK (contiguous >= 0),
            collected  INTEGER NOT NULL DEFAULT 0 CHECK (collected >= 0)
        ) WITHOUT ROWID;

        CREATE TABLE crdt_member_vectors (
            member   BLOB NOT NULL CHECK (length(member) = 32),
            device   BLOB NOT NULL CHECK (length(device) = 32),
            sequence INTEGER NOT NULL,
            PRIMARY KEY (member, device)
        ) WITHOUT ROWID;

        CREATE TABLE crdt_conflict_copies (
            path        TEXT PRIMARY KEY NOT NULL COLLATE BINARY,
            source_path TEXT NOT NULL COLLATE BINARY
        ) WITHOUT ROWID;
        CREATE INDEX crdt_conflict_copies_source ON crdt_conflict_copies (source_path);
        """;

    // The devices this node talks to (issue 5): one row per device id (SHA-256 of its certificate). trust says why it
    // is accepted: 1 paired with `isg peer add`, 2 admitted because it proved the cluster secret. addresses is a JSON
    // array of "HOST:PORT" strings given with `peer add --address` (discovered addresses are not stored here; from v9,
    // those a dial succeeded at are kept in learned_addresses). last_seen, bytes_in and bytes_out are kept up to date by
    // the running node; connected_since is set while the node holds a connection to the device (cleared when the node
    // starts, so a crash leaves no stale "connected"). Times are Unix ms.
    private const string PeersSchema = """
        CREATE TABLE peers (
            device_id       BLOB PRIMARY KEY NOT NULL CHECK (length(device_id) = 32),
            name            TEXT NOT NULL DEFAULT '',
            addresses       TEXT NOT NULL DEFAULT '[]',
            trust           INTEGER NOT NULL CHECK (trust IN (1, 2)),
            added_at        INTEGER NOT NULL,
            last_seen       INTEGER,
            bytes_in        INTEGER NOT NULL DEFAULT 0 CHECK (bytes_in >= 0),
            bytes_out       INTEGER NOT NULL DEFAULT 0 CHECK (bytes_out >= 0),
            connected_since INTEGER
        ) WITHOUT ROWID;
        """;

    // Where outbound dials to a device succeeded (discovered by mDNS, or an endpoint list entry whose handshake showed the
    // device), so a restarted node can dial it where multicast does not reach (VPN, another subnet). A JSON array of
    // "HOST:PORT" strings, most recently successful first, at most CatalogWriter.MaxLearnedAddresses, skipping those
    // already in addresses (dialled anyway). Inbound connections are not recorded: their source port is ephemeral. The
    // list goes with the row when the peer is removed.
    private const string LearnedAddressesSchema = """
        ALTER TABLE peers ADD COLUMN learned_addresses TEXT NOT NULL DEFAULT '[]';
        """;

    // The blocks a replica still has to fetch (referenced, stored on no backend here), found through a partial index
    // instead of probing chunks once per block: the swarm asks for them at every poll and refill, and the count behind
    // GET /api/sync, so a scan that grew with the catalogue ran dozens of times a second (2.5 ms each at 5,000 blocks).
    // chunk_count is the number of chunks rows naming the block, kept by triggers like refcount (IntegrityCheck verifies
    // it). A block added here gets its chunk before its first reference, so it never enters the index; a peer's block
    // enters when an entry names it and leaves when it is fetched. Parity rows name shard hashes, not blocks: their
    // updates match no row.
    private const string WantedBlocksSchema = """
        ALTER TABLE blocks ADD COLUMN chunk_count INTEGER NOT NULL DEFAULT 0 CHECK (chunk_count >= 0);
        UPDATE blocks SET chunk_count = (SELECT count(*) FROM chunks c WHERE c.block_id = blocks.id);

        CREATE TRIGGER chunks_count_insert AFTER INSERT ON chunks
        BEGIN
            UPDATE blocks SET chunk_count = chunk_count + 1 WHERE id = NEW.block_id;
        END;

        CREATE TRIGGER chunks_count_delete AFTER DELETE ON chunks
        BEGIN
            UPDATE blocks SET chunk_count = chunk_count - 1 WHERE id = OLD.block_id;
        END;

        CREATE INDEX blocks_wanted ON blocks (id) WHERE refcount > 0 AND chunk_count = 0;
        """;

    // Existing rows get their hashes from the migrating connection's SQL function (CatalogLeafHashes); CatalogWriter
    // writes the hash with every new row. The index covers the root's scan in path order.
    private const string LeafHashesSchema = $"""
        ALTER TABLE files ADD COLUMN leaf_hash BLOB CHECK (leaf_hash IS NULL OR length(leaf_hash) = 32);
        UPDATE files SET leaf_hash = {CatalogLeafHashes.SqlCall};
        CREATE INDEX files_leaf_hashes ON files (path, leaf_hash);
        """;

    /// <summary>Every migration in order; element i has version i + 1.</summary>
    public static IReadOnlyList<CatalogMigration> All { get; } =
    [
        new(1, "initial schema: config, blocks, chunks, files, file_manifests, file_blocks, snapshots, access_log", InitialSchema),
        new(2, "stripes: backends, stripes, blocks.stripe_id/stripe_index, parity chunks", StripesSchema),
        new(3, "snapshots: names, totals, snapshot_files, snapshot_blocks with refcount triggers", SnapshotsSchema),
        new(4, "healer: shard_faults (scrub findings not yet repaired)", ShardFaultsSchema),
        new(5, "backend secrets: backends.secrets (sealed credentials)", BackendSecretsSchema),
        new(6, "upload queue: upload_queue (objects spooled for remote backends)", UploadQueueSchema),
        new(7, "replicated catalogue: crdt_operations, crdt_superseded, crdt_devices, crdt_member_vectors, crdt_conflict_copies", CrdtSchema),
        new(8, "peers: paired and cluster devices, their addresses and traffic", PeersSchema),
        new(9, "peers: learned_addresses (where dials to the device succeeded)", LearnedAddressesSchema),
        new(10, "wanted blocks: blocks.chunk_count kept by triggers, partial index of blocks referenced but stored nowhere", WantedBlocksSchema),
        new(CatalogLeafHashes.SchemaVersion, "leaf hashes: files.leaf_hash (each entry's catalogue tree hash), indexed with the path for the root's scan", LeafHashesSchema),
    ];

    /// <summary>The schema version this code writes: the last migration's number.</summary>
    public static int LatestVersion => All[^1].Version;
}

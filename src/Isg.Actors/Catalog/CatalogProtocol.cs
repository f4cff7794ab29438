using Isg.Actors.Runtime;

namespace Isg.Actors.Catalog;

/// <summary>Messages of the catalogue writer actor.</summary>
public interface ICatalogCommand;

/// <summary>
/// Commits files (and the blocks written for them) in one transaction. Replies <see cref="FilesCommitted"/>.
/// The blocks must already be durable in their store. Safe to resend (a path's previous entry is replaced).
/// </summary>
public sealed record CommitFiles(IReadOnlyList<FileCommit> Files, IReadOnlyList<StoredBlock> NewBlocks, IReplyTo<FilesCommitted> ReplyTo) : ICatalogCommand
{
    /// <summary>Stripes sealed since the last commit, recorded after <see cref="NewBlocks"/> in the same transaction.</summary>
    public IReadOnlyList<SealedStripe> Stripes { get; init; } = [];
}

/// <summary>The outcome of <see cref="CommitFiles"/>: <see cref="Failure"/> is null when every file is committed.</summary>
public sealed record FilesCommitted(int Files, Exception? Failure);

/// <summary>
/// Removes a path (with <see cref="Recursive"/>, everything below it too) from the catalogue only: blocks no
/// entry or snapshot uses any more stay stored (refcount 0) until garbage collection. Replies <see cref="PathRemoved"/>.
/// </summary>
public sealed record RemovePath(string Path, bool Recursive, IReplyTo<PathRemoved> ReplyTo) : ICatalogCommand;

/// <summary>
/// The outcome of <see cref="RemovePath"/>; <see cref="Failure"/> says why nothing was removed.
/// <see cref="BlocksReleased"/> blocks lost their last reference; <see cref="BytesReclaimable"/> is the sealed size of
/// all their stored copies, which garbage collection can delete (or, for stripe members, once their stripe is removed
/// or repacked).
/// </summary>
public sealed record PathRemoved(int Entries, int BlocksReleased, long BytesReclaimable, Exception? Failure);

/// <summary>
/// Records the live catalogue as a new snapshot (block references only, nothing copied). Replies
/// <see cref="SnapshotCreated"/>. Not idempotent: resending with the same name fails with
/// <see cref="SnapshotNameTakenException"/>.
/// </summary>
public sealed record CreateSnapshot(string Name, IReplyTo<SnapshotCreated> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="CreateSnapshot"/>: the snapshot, or why none was made.</summary>
public sealed record SnapshotCreated(SnapshotInfo? Snapshot, Exception? Failure);

/// <summary>
/// Deletes snapshots (unknown ids are skipped), re-parenting their children, and releases their block references;
/// deletes no object (garbage collection does). Replies <see cref="SnapshotsDeleted"/>. Safe to resend.
/// </summary>
public sealed record DeleteSnapshots(IReadOnlyList<long> Ids, IReplyTo<SnapshotsDeleted> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="DeleteSnapshots"/>: what was removed, or why nothing was.</summary>
public sealed record SnapshotsDeleted(SnapshotsRemoval? Removal, Exception? Failure);

/// <summary>
/// Garbage collection's catalogue transaction: forgets the planned dead blocks and stripes that are still dead (see
/// <see cref="CatalogWriter.ForgetGarbage"/>). Replies <see cref="GarbageForgotten"/>; the asker then deletes the
/// returned objects. Safe to resend.
/// </summary>
public sealed record ForgetGarbage(IReadOnlyList<Isg.Protocol.Hashing.BlockId> DeadBlocks, IReadOnlyList<long> DeadStripes, IReplyTo<GarbageForgotten> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="ForgetGarbage"/>: <see cref="Failure"/> is null when the transaction committed.</summary>
public sealed record GarbageForgotten(Isg.Actors.GarbageCollection.GcForgotten Forgotten, Exception? Failure);

/// <summary>
/// Garbage collection's repack transaction (see <see cref="CatalogWriter.CommitRepack"/>). Replies
/// <see cref="GarbageForgotten"/> (its Stripes are the old stripes repacked); the asker then deletes the returned
/// objects. Safe to resend: a repack already committed fails its re-check and changes nothing.
/// </summary>
public sealed record CommitRepack(Isg.Actors.GarbageCollection.GcRepack Repack, IReplyTo<GarbageForgotten> ReplyTo) : ICatalogCommand;

/// <summary>
/// Records a stretch of a scrub pass (verified, faulty and repaired shards, the pass position) in one transaction.
/// Replies <see cref="ScrubRecorded"/>. Send only after repaired shards are durable on their backends. Safe to resend.
/// </summary>
public sealed record RecordScrub(ScrubRecord Record, IReplyTo<ScrubRecorded> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="RecordScrub"/>: <see cref="Failure"/> is null when it is durable.</summary>
public sealed record ScrubRecorded(Exception? Failure);

/// <summary>
/// Applies operations received from a peer (see <see cref="CatalogWriter.ApplyOperations"/>) in one transaction.
/// Replies <see cref="OperationsApplied"/>. Safe to resend: operations already held are skipped.
/// </summary>
public sealed record ApplyOperations(IReadOnlyList<Isg.Protocol.Crdt.CatalogOperation> Operations, IReplyTo<OperationsApplied> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="ApplyOperations"/>: <see cref="Failure"/> is null when it committed.</summary>
public sealed record OperationsApplied(CrdtApplyResult? Result, Exception? Failure);

/// <summary>
/// Replicated-catalogue upkeep, each one transaction: log operations for unlogged entries, record a member's version
/// vector, collect what every member has seen. Replies <see cref="MaintenanceDone"/>. Safe to resend.
/// </summary>
public sealed record MaintainReplica(ReplicaMaintenance Work, IReplyTo<MaintenanceDone> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="MaintainReplica"/>: a count (operations logged or collected; 0 for a vector).</summary>
public sealed record MaintenanceDone(int Count, Exception? Failure);

/// <summary>
/// Records blocks fetched from peers, durable at their locations, in one transaction (see
/// <see cref="CatalogWriter.RecordFetchedBlocks"/>). Replies <see cref="FetchedBlocksRecorded"/>. Safe to resend.
/// </summary>
public sealed record RecordFetchedBlocks(IReadOnlyList<StoredBlock> Blocks, IReplyTo<FetchedBlocksRecorded> ReplyTo) : ICatalogCommand;

/// <summary>
/// The outcome of <see cref="RecordFetchedBlocks"/>: <see cref="Needed"/> holds, per block in order, false when no
/// entry wants it any more (empty on failure).
/// </summary>
public sealed record FetchedBlocksRecorded(IReadOnlyList<bool> Needed, Exception? Failure);

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
/// Removes a path (with <see cref="Recursive"/>, everything below it too) and deletes the blocks no entry uses
/// any more from their stores. Replies <see cref="PathRemoved"/>.
/// </summary>
public sealed record RemovePath(string Path, bool Recursive, IReplyTo<PathRemoved> ReplyTo) : ICatalogCommand;

/// <summary>
/// The outcome of <see cref="RemovePath"/>; <see cref="Failure"/> says why nothing was removed. <see cref="BlocksFreed"/>
/// and <see cref="BytesFreed"/> count the objects actually deleted; one whose delete failed stays recorded, unreferenced.
/// </summary>
public sealed record PathRemoved(int Entries, int BlocksFreed, long BytesFreed, Exception? Failure);

/// <summary>
/// Records a stretch of a scrub pass (verified, faulty and repaired shards, the pass position) in one transaction.
/// Replies <see cref="ScrubRecorded"/>. Send only after repaired shards are durable on their backends. Safe to resend.
/// </summary>
public sealed record RecordScrub(ScrubRecord Record, IReplyTo<ScrubRecorded> ReplyTo) : ICatalogCommand;

/// <summary>The outcome of <see cref="RecordScrub"/>: <see cref="Failure"/> is null when it is durable.</summary>
public sealed record ScrubRecorded(Exception? Failure);

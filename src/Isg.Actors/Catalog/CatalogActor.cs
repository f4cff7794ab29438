using Isg.Actors.Backends;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;
using Isg.Protocol.Paths;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Catalog;

/// <summary>
/// The only writer of the catalogue (/node/catalog): commits, removals, snapshots and garbage collection's
/// transactions are serialised here. Expected failures (a busy or full disk, a missing path) are replies; a damaged database throws and restarts.
/// Commits and removals only change rows: blocks they release (refcount 0) keep their rows and objects until the
/// garbage collector deletes them under the repository's exclusive lock.
/// </summary>
/// <param name="database">The catalogue.</param>
/// <param name="written">Called on the actor's thread after each command, the catalogue perhaps changed (the node tells its
/// sync actor, which announces log growth to peers); must not block.</param>
public sealed class CatalogActor(CatalogDatabase database, Action? written = null) : Actor<ICatalogCommand>
{
    private CatalogWriter? _writer;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _writer = database.CreateWriter();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _writer?.Dispose();
        _writer = null;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask HandleAsync(ICatalogCommand message, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("catalog writer not started");
        switch (message)
        {
            case CommitFiles commit:
                Attempt(commit.ReplyTo, () =>
                {
                    var freed = writer.Commit(commit.Files, commit.NewBlocks, commit.Stripes);
                    if (freed.Count > 0)
                    {
                        Context.Logger.LogDebug("commit left {Blocks} blocks unreferenced", freed.Count);
                    }

                    return new FilesCommitted(commit.Files.Count, null);
                }, e => new FilesCommitted(0, e), $"commit of {commit.Files.Count} files");
                break;
            case RemovePath remove:
                Attempt(remove.ReplyTo, () => Remove(writer, remove), e => new PathRemoved(0, 0, 0, e), "removal of " + remove.Path);
                break;
            case ForgetGarbage forget:
                Attempt(forget.ReplyTo, () => new GarbageForgotten(writer.ForgetGarbage(forget.DeadBlocks, forget.DeadStripes), null),
                    e => new GarbageForgotten(GarbageCollection.GcForgotten.None, e), "garbage collection's transaction");
                break;
            case CommitRepack repack:
                Attempt(repack.ReplyTo, () => new GarbageForgotten(writer.CommitRepack(repack.Repack), null),
                    e => new GarbageForgotten(GarbageCollection.GcForgotten.None, e), "garbage collection's repack");
                break;
            case CreateSnapshot create:
                Attempt(create.ReplyTo, () => new SnapshotCreated(writer.CreateSnapshot(create.Name), null),
                    e => new SnapshotCreated(null, e), "snapshot " + create.Name);
                break;
            case DeleteSnapshots delete:
                Attempt(delete.ReplyTo, () => new SnapshotsDeleted(writer.DeleteSnapshots(delete.Ids), null),
                    e => new SnapshotsDeleted(null, e), "snapshot deletion");
                break;
            case RecordScrub scrub:
                Attempt(scrub.ReplyTo, () =>
                {
                    writer.RecordScrub(scrub.Record);
                    return new ScrubRecorded(null);
                }, e => new ScrubRecorded(e), "recording a scrub");
                break;
            case ApplyOperations apply:
                Attempt(apply.ReplyTo, () => new OperationsApplied(writer.ApplyOperations(apply.Operations), null),
                    e => new OperationsApplied(null, e), $"applying {apply.Operations.Count} peer operations");
                break;
            case MaintainReplica maintain:
                Attempt(maintain.ReplyTo, () => new MaintenanceDone(Maintain(writer, maintain.Work), null),
                    e => new MaintenanceDone(0, e), "replica upkeep " + maintain.Work.GetType().Name);
                break;
            case RecordFetchedBlocks fetched:
                Attempt(fetched.ReplyTo, () => new FetchedBlocksRecorded(writer.RecordFetchedBlocks(fetched.Blocks), null),
                    e => new FetchedBlocksRecorded([], e), $"recording {fetched.Blocks.Count} fetched blocks");
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        // Fetched blocks change no entry, and a replica records them many times a second.
        if (message is not RecordFetchedBlocks)
        {
            written?.Invoke();
        }
    }

    private static int Maintain(CatalogWriter writer, ReplicaMaintenance work)
    {
        switch (work)
        {
            case ReplicaMaintenance.LogMissing:
                return writer.RecordMissingOperations();
            case ReplicaMaintenance.MemberVector member:
                writer.RecordMemberVector(member.Member, member.Vector);
                return 0;
            case ReplicaMaintenance.AdoptCollected adopt:
                writer.AdoptCollected(adopt.Collected);
                return 0;
            case ReplicaMaintenance.Collect collect:
                return writer.CollectOperations(collect.Members);
            default:
                throw new ArgumentException($"unexpected upkeep {work.GetType().Name}", nameof(work));
        }
    }

    // Runs a change and replies. A rejected change (a taken name, a busy or full disk, a bad path or block layout)
    // leaves the catalogue as it was and is the reply, logged at debug: the asker reports it. A corrupt catalogue
    // also restarts the actor (a fresh connection), after the reply, so the asker is not left waiting.
    private void Attempt<TReply>(IReplyTo<TReply> replyTo, Func<TReply> change, Func<Exception, TReply> failed, string what)
    {
        TReply reply;
        try
        {
            reply = change();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Context.Logger.LogDebug("{What} failed: {Reason}", what, e.Message);
            replyTo.Reply(failed(e));
            if (e is CatalogException { Kind: CatalogErrorKind.Corrupt })
            {
                throw;
            }

            return;
        }

        replyTo.Reply(reply);
    }

    private PathRemoved Remove(CatalogWriter writer, RemovePath remove)
    {
        int entries;
        using (var reader = database.CreateReader())
        {
            List<FileEntry> below;
            try
            {
                below = reader.ListFiles(remove.Path).Take(2).ToList();
            }
            catch (ArgumentException e)
            {
                // Not a catalogue path (absolute, "..", empty segments): user input, so a reply, not a restart.
                return new PathRemoved(0, 0, 0, e);
            }

            if (below.Count == 0)
            {
                return new PathRemoved(0, 0, 0, new CatalogPathNotFoundException(remove.Path));
            }

            if (!remove.Recursive && below.Any(e => e.Path != remove.Path))
            {
                return new PathRemoved(0, 0, 0, new CatalogPathIsDirectoryException(remove.Path));
            }

            entries = remove.Recursive ? reader.ListFiles(remove.Path).Count(e => CatalogPath.IsUnder(e.Path, remove.Path)) : 1;
        }

        // Catalogue-only: the released blocks keep their rows and objects until `isg gc`, which deletes them under the
        // exclusive lock, rows first. Deleting objects here first could leave a row naming nothing, and adds dedup
        // against every row, referenced or not.
        var released = writer.RemoveFiles(remove.Path, remove.Recursive);
        var blocks = released.Select(b => b.Id).Distinct().Count();
        var bytes = released.Sum(b => (long)b.StoredSize);
        Context.Logger.LogInformation("removed {Entries} entries under {Path}; {Blocks} blocks ({Bytes} bytes) are now unreferenced, for gc",
            entries, remove.Path, blocks, bytes);
        return new PathRemoved(entries, blocks, bytes, null);
    }
}

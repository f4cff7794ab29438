using Isg.Actors.Backends;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;
using Isg.Protocol.Paths;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Catalog;

/// <summary>
/// The only writer of the catalogue (/node/catalog). Commits and removals are serialised here, so a removal's
/// "refcount reached zero, delete the object" can never interleave with a commit that re-references the block.
/// Expected failures (a busy or full disk, a missing path) are replies; a damaged database throws and restarts.
/// Blocks that a commit frees by replacing a file stay at refcount 0 for the garbage collector, and so do blocks
/// that a removal frees when they are members of a stripe (their stripe-mates' parity needs them).
/// </summary>
public sealed class CatalogActor(CatalogDatabase database, BackendSet backends) : Actor<ICatalogCommand>
{
    private static readonly TimeSpan s_deletionMemory = TimeSpan.FromHours(1);

    /// <summary>A catalogue actor over the single backend <paramref name="store"/>.</summary>
    public CatalogActor(CatalogDatabase database, IStorageBackend store)
        : this(database, new BackendSet([store]))
    {
    }

    // Object names deleted by removals, with when: an add that ran concurrently may have put the same block
    // again (its id was unknown for a moment) before our delete landed, so a commit naming one of these as
    // new must first see the object in the store.
    private readonly Dictionary<string, DateTimeOffset> _recentlyDeleted = new(StringComparer.Ordinal);
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
                try
                {
                    if (await FindVanishedAsync(commit.NewBlocks, cancellationToken).ConfigureAwait(false) is { } vanished)
                    {
                        commit.ReplyTo.Reply(new FilesCommitted(0, new BackendException(BackendFailureKind.Transient, vanished.Backend,
                            $"block {vanished.Id} was deleted by a concurrent removal before this add could commit it; add again")));
                        break;
                    }

                    var freed = writer.Commit(commit.Files, commit.NewBlocks, commit.Stripes);
                    if (freed.Count > 0)
                    {
                        Context.Logger.LogDebug("commit left {Blocks} blocks unreferenced", freed.Count);
                    }

                    commit.ReplyTo.Reply(new FilesCommitted(commit.Files.Count, null));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A rejected commit (busy, full disk, a bad path or block layout) leaves the catalogue as it was:
                    // reply rather than leave the asker waiting. The job that asked reports it.
                    Context.Logger.LogDebug("commit of {Files} files failed: {Reason}", commit.Files.Count, e.Message);
                    commit.ReplyTo.Reply(new FilesCommitted(0, e));
                    if (e is CatalogException { Kind: CatalogErrorKind.Corrupt })
                    {
                        // The writer's state is suspect: let the supervisor restart us with a fresh connection.
                        throw;
                    }
                }

                break;
            case RemovePath remove:
                PathRemoved removed;
                try
                {
                    removed = await RemoveAsync(writer, remove, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Context.Logger.LogDebug("removal of {Path} failed: {Reason}", remove.Path, e.Message);
                    remove.ReplyTo.Reply(new PathRemoved(0, 0, 0, e));
                    if (e is CatalogException { Kind: CatalogErrorKind.Corrupt })
                    {
                        throw;
                    }

                    break;
                }

                remove.ReplyTo.Reply(removed);
                break;
            case RecordScrub scrub:
                try
                {
                    writer.RecordScrub(scrub.Record);
                    scrub.ReplyTo.Reply(new ScrubRecorded(null));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Context.Logger.LogDebug("recording a scrub failed: {Reason}", e.Message);
                    scrub.ReplyTo.Reply(new ScrubRecorded(e));
                    if (e is CatalogException { Kind: CatalogErrorKind.Corrupt })
                    {
                        throw;
                    }
                }

                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }
    }

    private async Task<StoredBlock?> FindVanishedAsync(IReadOnlyList<StoredBlock> newBlocks, CancellationToken cancellationToken)
    {
        if (_recentlyDeleted.Count == 0)
        {
            return null;
        }

        foreach (var block in newBlocks)
        {
            if (_recentlyDeleted.Remove(block.ObjectName)
                && (!backends.TryGet(block.Backend, out var store) || !await store.ExistsAsync(block.ObjectName, cancellationToken).ConfigureAwait(false)))
            {
                return block;
            }
        }

        return null;
    }

    private async Task<PathRemoved> RemoveAsync(CatalogWriter writer, RemovePath remove, CancellationToken cancellationToken)
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

        var freed = writer.RemoveFiles(remove.Path, remove.Recursive);
        var deleted = new List<StoredBlock>(freed.Count);
        foreach (var block in freed)
        {
            var store = backends.TryGet(block.Backend, out var found) ? found : null;
            try
            {
                if (store is null)
                {
                    throw new BackendException(BackendFailureKind.Permanent, block.Backend, $"backend {block.Backend} is not configured", null);
                }

                await store.DeleteAsync(block.ObjectName, cancellationToken).ConfigureAwait(false);
                _recentlyDeleted[block.ObjectName] = Context.TimeProvider.GetUtcNow();
                deleted.Add(block);
            }
            catch (BackendException e)
            {
                // The entry is gone already. The block stays recorded with no references, so a later sweep
                // (FindUnreferencedBlocks) still finds the object and deletes it.
                Context.Logger.LogWarning("could not delete block {Block} from {Store}: {Reason}", block.Id, block.Backend, e.Message);
            }
        }

        writer.ForgetBlocks(deleted.Select(b => b.Id));
        var horizon = Context.TimeProvider.GetUtcNow() - s_deletionMemory;
        foreach (var stale in _recentlyDeleted.Where(d => d.Value < horizon).Select(d => d.Key).ToList())
        {
            _recentlyDeleted.Remove(stale);
        }

        Context.Logger.LogInformation("removed {Entries} entries under {Path}; freed {Blocks} blocks", entries, remove.Path, deleted.Count);
        return new PathRemoved(entries, deleted.Count, deleted.Sum(b => (long)b.StoredSize), null);
    }
}

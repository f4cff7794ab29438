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
/// </summary>
public sealed class CatalogActor(CatalogDatabase database, IStorageBackend store) : Actor<ICatalogCommand>
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
                try
                {
                    writer.Commit(commit.Files, commit.NewBlocks);
                    commit.ReplyTo.Reply(new FilesCommitted(commit.Files.Count, null));
                }
                catch (Exception e) when (e is CatalogException { Kind: not CatalogErrorKind.Corrupt } or ArgumentException)
                {
                    // The writer validates a commit before writing, so a rejected one (a bad path or block layout)
                    // leaves the catalogue as it was: reply rather than restart and leave the asker waiting.
                    Context.Logger.LogError("commit of {Files} files failed: {Reason}", commit.Files.Count, e.Message);
                    commit.ReplyTo.Reply(new FilesCommitted(0, e));
                }

                break;
            case RemovePath remove:
                remove.ReplyTo.Reply(await RemoveAsync(writer, remove, cancellationToken).ConfigureAwait(false));
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }
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
                return new PathRemoved(0, 0, 0, new InvalidOperationException(
                    $"{remove.Path} is a directory with entries below it: use --recursive"));
            }

            entries = remove.Recursive ? reader.ListFiles(remove.Path).Count(e => CatalogPath.IsUnder(e.Path, remove.Path)) : 1;
        }

        var freed = writer.RemoveFiles(remove.Path, remove.Recursive);
        var deleted = new List<StoredBlock>(freed.Count);
        foreach (var block in freed)
        {
            try
            {
                await store.DeleteAsync(block.ObjectName, cancellationToken).ConfigureAwait(false);
                deleted.Add(block);
            }
            catch (BackendException e)
            {
                // The entry is gone already. The block stays recorded with no references, so a later sweep
                // (FindUnreferencedBlocks) still finds the object and deletes it.
                Context.Logger.LogWarning("could not delete block {Block} from {Store}: {Reason}", block.Id, store.Name, e.Message);
            }
        }

        writer.ForgetBlocks(deleted.Select(b => b.Id));
        Context.Logger.LogInformation("removed {Entries} entries under {Path}; freed {Blocks} blocks", entries, remove.Path, deleted.Count);
        return new PathRemoved(entries, deleted.Count, deleted.Sum(b => (long)b.StoredSize), null);
    }
}

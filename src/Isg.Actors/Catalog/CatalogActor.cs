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
                catch (CatalogException e) when (e.Kind != CatalogErrorKind.Corrupt)
                {
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
            var below = reader.ListFiles(remove.Path).Take(2).ToList();
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
        long bytes = 0;
        foreach (var block in freed)
        {
            // The entry is gone from the catalogue already; a failed delete only leaves garbage for a later sweep.
            try
            {
                await store.DeleteAsync(block.ObjectName, cancellationToken).ConfigureAwait(false);
                bytes += block.StoredSize;
            }
            catch (BackendException e)
            {
                Context.Logger.LogWarning("could not delete block {Block} from {Store}: {Reason}", block.Id, store.Name, e.Message);
            }
        }

        writer.ForgetBlocks(freed.Select(b => b.Id));
        Context.Logger.LogInformation("removed {Entries} entries under {Path}; freed {Blocks} blocks", entries, remove.Path, freed.Count);
        return new PathRemoved(entries, freed.Count, bytes, null);
    }
}

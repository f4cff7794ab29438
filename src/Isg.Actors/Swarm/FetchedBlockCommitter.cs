using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Runtime;

namespace Isg.Actors.Swarm;

/// <summary>
/// Makes fetched blocks durable and records them in the catalogue by group commit: blocks that arrive while a batch is
/// being committed wait for the next one, so many blocks in flight cost one file-system sync and one catalogue
/// transaction instead of one each (a synchronous commit per 4 KiB block would dominate syncing small files). Large
/// blocks arrive a few milliseconds apart, each after the commit before it has ended, so a batch of fewer than
/// <see cref="LingerBelow"/> blocks waits <see cref="Linger"/> for more (a node receiving 1 MiB blocks made about 300
/// commits per 256 MiB, one per block). The first commit after a quiet spell never waits. Thread-safe.
/// </summary>
public sealed class FetchedBlockCommitter(IStorageBackend primary, IActorRef<ICatalogCommand> catalog, TimeSpan recordTimeout, TimeProvider? time = null)
{
    /// <summary>Batches at least this large are committed at once.</summary>
    public const int LingerBelow = 8;

    /// <summary>How long a smaller batch waits for more blocks (it follows a commit that has just ended).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(4);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private readonly Lock _gate = new();
    private List<(StoredBlock Block, TaskCompletionSource Done)> _pending = [];
    private bool _committing;

    /// <summary>
    /// Completes once <paramref name="block"/>, already written to the primary backend, is durable and recorded.
    /// Throws what the flush or the catalogue threw (<see cref="BackendException"/>, a catalogue failure or a timeout).
    /// </summary>
    public Task CommitAsync(StoredBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending.Add((block, done));
            if (_committing)
            {
                return done.Task;
            }

            _committing = true;
        }

        _ = Task.Run(CommitBatchesAsync);
        return done.Task;
    }

    private int PendingCount()
    {
        lock (_gate)
        {
            return _pending.Count;
        }
    }

    private async Task CommitBatchesAsync()
    {
        while (true)
        {
            List<(StoredBlock Block, TaskCompletionSource Done)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _committing = false;
                    return;
                }

                batch = _pending;
                _pending = [];
            }

            try
            {
                await primary.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                var recorded = await catalog.AskAsync<ICatalogCommand, FetchedBlocksRecorded>(
                    r => new RecordFetchedBlocks([.. batch.Select(b => b.Block)], r), recordTimeout, CancellationToken.None).ConfigureAwait(false);
                if (recorded.Failure is not null)
                {
                    throw recorded.Failure;
                }

                foreach (var (_, done) in batch)
                {
                    done.SetResult();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                foreach (var (_, done) in batch)
                {
                    done.SetException(e);
                }
            }

            // Still committing: blocks that arrive while the next batch lingers join it.
            if (PendingCount() < LingerBelow)
            {
                await Task.Delay(Linger, _time).ConfigureAwait(false);
            }
        }
    }
}

using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Storage;
using Isg.Actors.Striping;
using Isg.Actors.Transfers;
using Isg.Protocol.Manifests;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Ingest;

/// <summary>
/// One `add`: a reader task walks the sources and cuts files into chunks, handing them to the encoder pool
/// (at most <see cref="IngestJob.MaxChunksInFlight"/> at a time, so memory stays bounded); this actor collects
/// the encoded blocks per file and commits complete files in batches: flush of every backend first, then one
/// catalogue transaction that also records the stripes sealed since the last commit (with or after their blocks).
/// New blocks are grouped into stripes with parity by a <see cref="StripeAssembler"/> shared with the encoders; the
/// partial stripes (one per size class in use) are closed before the final commit. A file is acknowledged (FileDone) only after its commit, so a crash at any moment leaves each
/// file either fully present or absent.
/// </summary>
public sealed class IngestJobActor(IngestJob job) : Actor<IIngestJobCommand>
{
    private const int CommitFileThreshold = 512;
    private const long CommitByteThreshold = 256L << 20;
    private static readonly TimeSpan s_commitInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_commitTimeout = TimeSpan.FromMinutes(10);

    private readonly DedupIndex _session = new();
    private readonly StripeAssembler _stripes = new(job.Repository.Settings.Redundancy, job.Backends, job.Repository.Key);
    private readonly List<SealedStripe> _pendingStripes = [];
    private readonly SemaphoreSlim _inFlight = new(job.MaxChunksInFlight, job.MaxChunksInFlight);
    private readonly CancellationTokenSource _readerStop = CancellationTokenSource.CreateLinkedTokenSource(job.CancellationToken);
    private readonly List<int> _pendingFiles = [];
    private readonly List<StoredBlock> _pendingBlocks = [];
    private readonly List<string> _failures = [];
    private IngestFileState[] _files = [];
    private long _pendingBytes;
    private long _totalBytes;
    private long _bytesDone;
    private long _bytesStored;
    private int _filesAdded;
    private int _filesUnchanged;
    private int _filesFailed;
    private int _filesSettled;
    private int _newBlocks;
    private int _dedupBlocks;
    private bool _readingFinished;
    private bool _replied;
    private bool _committing;
    private bool _stripesClosed;
    private Exception? _abort;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        var self = Context.Self;
        var replyTo = Context.ReplyAdapter<ChunkEncoded>(r => new ChunkDone(r));
        _ = Task.Run(() => ReadAllAsync(self, replyTo, _readerStop.Token), CancellationToken.None);
        Context.ScheduleTellOnce(s_commitInterval, new CommitTick());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _readerStop.Cancel();
        _readerStop.Dispose();
        _stripes.Dispose();
        if (!_replied)
        {
            // Stopped from outside (node shutdown) before finishing: say so rather than leave the caller waiting.
            job.ReplyTo.Reply(new TransferOutcome<IngestReport>(Report(), new OperationCanceledException("the node stopped during the add")));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(IIngestJobCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case ItemsScanned scanned:
                _files = scanned.Items.Select(i => new IngestFileState(i)).ToArray();
                _totalBytes = scanned.TotalBytes;
                foreach (var (path, reason) in scanned.Skipped)
                {
                    _filesFailed++;
                    _failures.Add($"{path}: {reason}");
                    job.Progress?.Report(Progress(TransferEvent.FileFailed, path, reason));
                }

                job.Progress?.Report(Progress(TransferEvent.Scanned, string.Empty));
                break;
            case FileUnchanged unchanged:
                _files[unchanged.File].Settled = true;
                _filesSettled++;
                _filesUnchanged++;
                _totalBytes -= _files[unchanged.File].Item.Size;
                job.Progress?.Report(Progress(TransferEvent.FileUnchanged, _files[unchanged.File].Item.CatalogPath));
                break;
            case FileRead read:
                var state = _files[read.File];
                state.ExpectedChunks = read.Chunks;
                state.BytesRead = read.Bytes;
                state.Failure ??= read.Failure;
                _totalBytes += read.Bytes - state.Item.Size;
                Settle(read.File);
                break;
            case ChunkDone done:
                OnChunk(done.Result);
                break;
            case ReadingFinished finished:
                _readingFinished = true;
                if (finished.Failure is not null && _abort is null)
                {
                    _abort = finished.Failure;
                }

                break;
            case CommitTick:
                // Acknowledge complete files at least this often; lone blocks wait for a file or the byte threshold.
                if (_pendingFiles.Count > 0)
                {
                    StartCommit();
                }

                if (!_replied)
                {
                    Context.ScheduleTellOnce(s_commitInterval, new CommitTick());
                }

                break;
            case CommitFinished finished:
                OnCommitFinished(finished);
                break;
            case StripesClosed closed:
                _committing = false;
                foreach (var stripe in closed.Stripes)
                {
                    TakeStripe(stripe);
                }

                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        if (_pendingFiles.Count >= CommitFileThreshold || _pendingBytes >= CommitByteThreshold)
        {
            StartCommit();
        }

        FinishIfDone();
        return ValueTask.CompletedTask;
    }

    private void OnChunk(ChunkEncoded result)
    {
        _inFlight.Release();
        var state = _files[result.File];
        _bytesDone += result.Length;
        if (result.Failure is not null || result.Block is null)
        {
            var failure = result.Failure ?? new InvalidOperationException("encoder returned no block");
            state.Failure ??= failure;
            state.Record(result.Seq, null);
            if (failure is BackendException { Kind: BackendFailureKind.Permanent or BackendFailureKind.Unauthorized } && _abort is null)
            {
                // A full disk or a refused store will fail every later chunk too: stop reading, keep what is complete.
                _abort = failure;
                _readerStop.Cancel();
            }
        }
        else
        {
            var block = result.Block.Value;
            state.Record(result.Seq, block);
            if (block.NewBlock is { } stored)
            {
                _bytesStored += stored.StoredSize;
                _newBlocks++;
            }
            else
            {
                _dedupBlocks++;
            }

            // A chunk that reused a block another worker stored in this add can be answered before that worker
            // is: the block must go into the commit with the first file that uses it, whichever answer comes first.
            if (_session.TryTakeWritten(block.Id, out var written))
            {
                _pendingBlocks.Add(written);
                _pendingBytes += written.StoredSize;
            }

            if (block.Stripe is not null)
            {
                TakeStripe(block.Stripe);
            }
        }

        job.Progress?.Report(Progress(TransferEvent.Bytes, state.Item.CatalogPath));
        Settle(result.File);
    }

    // Queues a sealed stripe for the next commit, with every block of it not yet taken: a block is then committed in
    // the same transaction as its stripe or in an earlier one (commits run one at a time, in order).
    private void TakeStripe(SealedStripe stripe)
    {
        foreach (var id in stripe.DataBlocks)
        {
            if (_session.TryTakeWritten(id, out var written))
            {
                _pendingBlocks.Add(written);
                _pendingBytes += written.StoredSize;
            }
        }

        _pendingStripes.Add(stripe);
    }

    // Moves a file whose chunks are all answered to the commit queue, or reports it failed.
    private void Settle(int file)
    {
        var state = _files[file];
        if (state.Settled || !state.IsComplete)
        {
            return;
        }

        if (state.Failure is OperationCanceledException)
        {
            // Cut off by a stop the user asked for: not added, but not a failure of the file either.
            state.Settled = true;
            state.Release();
            _filesSettled++;
            return;
        }

        if (state.Failure is not null)
        {
            Fail(file, state.Failure.Message);
            return;
        }

        _pendingFiles.Add(file);
    }

    private void Fail(int file, string reason)
    {
        var state = _files[file];
        state.Settled = true;
        state.Release();
        _filesSettled++;
        _filesFailed++;
        _failures.Add($"{state.Item.CatalogPath}: {reason}");
        job.Progress?.Report(Progress(TransferEvent.FileFailed, state.Item.CatalogPath, reason));
    }

    // Starts a commit of what is complete, unless one is already running: the flush and the transaction run in
    // the background so chunks keep flowing, and CommitFinished reports back.
    private void StartCommit()
    {
        if (_committing || (_pendingFiles.Count == 0 && _pendingBlocks.Count == 0 && _pendingStripes.Count == 0))
        {
            return;
        }

        var files = _pendingFiles.ToArray();
        var commits = files.Select(f => BuildCommit(_files[f])).ToArray();
        var blocks = _pendingBlocks.ToArray();
        var stripes = _pendingStripes.ToArray();
        _pendingFiles.Clear();
        _pendingBlocks.Clear();
        _pendingStripes.Clear();
        _pendingBytes = 0;
        _committing = true;
        var self = Context.Self;
        _ = Task.Run(async () =>
        {
            Exception? failure;
            try
            {
                // Blocks and parity must be durable before the catalogue points at them.
                await job.Backends.FlushAllAsync(CancellationToken.None).ConfigureAwait(false);
                var reply = await job.Catalog.AskAsync<ICatalogCommand, FilesCommitted>(
                    r => new CommitFiles(commits, blocks, r) { Stripes = stripes }, s_commitTimeout, CancellationToken.None).ConfigureAwait(false);
                failure = reply.Failure;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }

            self.Tell(new CommitFinished(files, failure));
        }, CancellationToken.None);
    }

    private void OnCommitFinished(CommitFinished finished)
    {
        _committing = false;
        if (finished.Failure is not null)
        {
            Context.Logger.LogError("commit of {Files} files failed: {Reason}", finished.Files.Count, finished.Failure.Message);
            _abort ??= finished.Failure;
            _readerStop.Cancel();
            foreach (var file in finished.Files)
            {
                Fail(file, "not committed: " + finished.Failure.Message);
            }

            return;
        }

        foreach (var file in finished.Files)
        {
            var state = _files[file];
            state.Settled = true;
            state.Release();
            _filesSettled++;
            _filesAdded++;
            job.Progress?.Report(Progress(TransferEvent.FileDone, state.Item.CatalogPath));
        }
    }

    private static FileCommit BuildCommit(IngestFileState state)
    {
        var blocks = new List<FileBlock>(state.ExpectedChunks);
        long offset = 0;
        foreach (var block in state.Blocks)
        {
            blocks.Add(new FileBlock(blocks.Count, block.Id, offset, block.Length));
            offset += block.Length;
        }

        var manifest = Manifest.Create(blocks.Select(b => new BlockRef(b.Id, b.Length)));
        var item = state.Item;
        return new FileCommit(item.CatalogPath, item.Kind, offset, item.Mode, item.MtimeUnixNs, item.LinkTarget,
            manifest.MerkleRoot, manifest.ToBytes(), blocks);
    }

    private void FinishIfDone()
    {
        if (_replied || !_readingFinished || _committing)
        {
            return;
        }

        // Wait for every chunk the reader sent. Files it never reached (after a stop) have ExpectedChunks -1:
        // they are neither added nor failed, just not touched.
        if (_files.Any(f => !f.Settled && f.ExpectedChunks >= 0 && !f.IsComplete))
        {
            return;
        }

        if (!_stripesClosed)
        {
            // Every chunk is answered: the partial stripes (one per size class) get their parity before the final commit.
            _stripesClosed = true;
            _committing = true;
            var self = Context.Self;
            _ = Task.Run(async () =>
            {
                IReadOnlyList<SealedStripe> stripes = [];
                try
                {
                    stripes = await _stripes.CloseAsync(job.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped by the user: the blocks of the partial stripes stay unprotected, which is allowed.
                }

                self.Tell(new StripesClosed(stripes));
            }, CancellationToken.None);
            return;
        }

        if (_pendingFiles.Count > 0 || _pendingBlocks.Count > 0 || _pendingStripes.Count > 0)
        {
            StartCommit();
            return;
        }

        _replied = true;
        job.Progress?.Report(Progress(TransferEvent.Completed, string.Empty));
        job.ReplyTo.Reply(new TransferOutcome<IngestReport>(Report(), _abort));
        Context.StopSelf();
    }

    private IngestReport Report() =>
        new(_filesAdded, _filesUnchanged, _filesFailed, _bytesDone, _bytesStored, _newBlocks, _dedupBlocks, _failures.ToArray());

    private TransferProgress Progress(TransferEvent kind, string path, string? detail = null) =>
        new(kind, path, _bytesDone, Math.Max(_totalBytes, _bytesDone), _filesSettled, _files.Length, detail);

    // The reader task: walk, then read and chunk each file, handing chunks to the encoders. Runs beside the
    // actor and talks to it only through messages.
    private async Task ReadAllAsync(IActorRef<IIngestJobCommand> self, IReplyTo<ChunkEncoded> replyTo, CancellationToken cancellationToken)
    {
        try
        {
            var skipped = new List<(string, string)>();
            var items = SourceWalker.Walk(job.Sources, (path, reason) => skipped.Add((path, reason)), job.Repository.Layout.Root);
            await self.TellAsync(new ItemsScanned(items, items.Sum(i => i.Size), skipped), cancellationToken).ConfigureAwait(false);
            using var catalog = job.Repository.Catalog.CreateReader();
            var chunkReader = new ChunkReader(job.Repository.CreateChunker());
            for (var index = 0; index < items.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var item = items[index];
                if (!job.Options.Reread && IsUnchanged(catalog, item))
                {
                    self.Tell(new FileUnchanged(index));
                    continue;
                }

                if (item.Kind != FileKind.File)
                {
                    self.Tell(new FileRead(index, 0, 0, null));
                    continue;
                }

                self.Tell(await ReadFileAsync(self, replyTo, chunkReader, index, item, cancellationToken).ConfigureAwait(false));
            }

            self.Tell(new ReadingFinished(null));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            self.Tell(new ReadingFinished(e));
        }
    }

    private async Task<FileRead> ReadFileAsync(IActorRef<IIngestJobCommand> self, IReplyTo<ChunkEncoded> replyTo,
        ChunkReader chunkReader, int index, IngestItem item, CancellationToken cancellationToken)
    {
        var seq = 0;
        try
        {
            using var handle = NativeFileSystem.OpenRegularFileForRead(item.LocalPath);
            var bytes = await chunkReader.ReadAsync(handle, item.Size, async chunk =>
            {
                try
                {
                    await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    chunk.Dispose();
                    throw;
                }

                await job.Encoders.TellAsync(new EncodeChunk(index, seq++, chunk, _session, _stripes, replyTo), CancellationToken.None).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            return new FileRead(index, seq, bytes, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FileRead(index, seq, 0, e);
        }
        catch (OperationCanceledException e)
        {
            self.Tell(new FileRead(index, seq, 0, e));
            throw;
        }
    }

    private static bool IsUnchanged(CatalogReader catalog, IngestItem item) =>
        catalog.GetFile(item.CatalogPath) is { } entry
        && entry.Kind == item.Kind
        && entry.Size == item.Size
        && entry.Mode == item.Mode
        && entry.MtimeUnixNs == item.MtimeUnixNs
        && entry.LinkTarget == item.LinkTarget;
}

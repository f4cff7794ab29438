using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Runtime;
using Isg.Actors.Storage;
using Isg.Actors.Transfers;
using Isg.Protocol.Paths;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Restore;

/// <summary>
/// One `get` or snapshot restore: a feeder task lists the entries under the requested path (from the live
/// catalogue or a snapshot, through an <see cref="IRestoreSource"/>) and asks the encoder pool for their
/// blocks, numbered in one global order (at most <see cref="RestoreJob.MaxBlocksInFlight"/> outstanding); this
/// actor writes the verified blocks in that order into temp files, checks each file's size and Merkle root, and
/// renames it into place with its mode and mtime. A file that fails leaves nothing behind; the others go on.
/// Directories get their mode and mtime last, deepest first; one file-system sync makes it all durable.
/// </summary>
public sealed class RestoreJobActor(RestoreJob job) : Actor<IRestoreJobCommand>
{
    private const long PreallocationMinimum = 1 << 20;
    private const int EarlyWriteBackMinimum = 256 * 1024;

    private readonly SemaphoreSlim _inFlight = new(job.MaxBlocksInFlight, job.MaxBlocksInFlight);
    // Blocks checked (and fetched from peers when held nowhere here) together before they are read.
    private const int PeerFetchWindow = 64;

    private readonly CancellationTokenSource _feederStop = CancellationTokenSource.CreateLinkedTokenSource(job.CancellationToken);
    private readonly Dictionary<long, BlockDecoded> _arrived = [];
    private readonly Queue<RestoreFileState> _writing = new();
    private readonly List<(string Path, int Mode, long MtimeNs)> _directories = [];
    private readonly List<string> _failures = [];
    private readonly HashSet<string> _createdDirectories = new(StringComparer.Ordinal);
    private readonly string _outputPath = Path.GetFullPath(job.Request.OutputPath);
    private readonly HashSet<string> _realDirectories = new(StringComparer.Ordinal);
    private long _nextSeq;
    private long _totalBytes;
    private int _totalFiles;
    private long _bytes;
    private int _files;
    private int _settled;
    private int _corruptFiles;
    private bool _feedingFinished;
    private long _requestedBlocks = long.MaxValue;
    private bool _replied;
    private Exception? _abort;
    private long _requested;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        var self = Context.Self;
        var replyTo = Context.ReplyAdapter<BlockDecoded>(r => new BlockArrived(r));
        _ = Task.Run(() => FeedAsync(self, replyTo, _feederStop.Token), CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _feederStop.Cancel();
        _feederStop.Dispose();
        foreach (var state in _writing)
        {
            Discard(state);
        }

        foreach (var block in _arrived.Values)
        {
            block.Plaintext?.Dispose();
        }

        if (!_replied)
        {
            job.ReplyTo.Reply(new TransferOutcome<RestoreReport>(Report(), new OperationCanceledException("the node stopped during the restore")));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(IRestoreJobCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case RestoreScanned scanned:
                _totalFiles = scanned.Files;
                _totalBytes = scanned.Bytes;
                job.Progress?.Report(Progress(TransferEvent.Scanned, string.Empty));
                break;
            case EntryAnnounced announced:
                Begin(announced);
                break;
            case BlockArrived arrived:
                _arrived[arrived.Result.Seq] = arrived.Result;
                WriteInOrder();
                break;
            case FeedingFinished finished:
                _feedingFinished = true;
                _requestedBlocks = finished.RequestedBlocks;
                _abort ??= finished.Failure;
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        FinishIfDone();
        return ValueTask.CompletedTask;
    }

    private void Begin(EntryAnnounced announced)
    {
        var entry = announced.Entry;
        if (announced.Failure is not null)
        {
            Fail(entry.Path, announced.Failure.Message);
            return;
        }

        var throughLink = SymlinkOnTheWay(announced.Target);
        var blocked = throughLink is null ? null : new IOException($"{throughLink} is a symlink: nothing is restored through one");
        if (blocked is not null && entry.Kind != FileKind.File)
        {
            Fail(entry.Path, blocked.Message);
            return;
        }

        try
        {
            switch (entry.Kind)
            {
                case FileKind.Directory:
                    Directory.CreateDirectory(announced.Target);
                    _directories.Add((announced.Target, entry.Mode, entry.MtimeUnixNs));
                    Done(entry.Path);
                    return;
                case FileKind.Symlink:
                    Directory.CreateDirectory(Path.GetDirectoryName(announced.Target)!);
                    if (job.Request.Overwrite && (File.Exists(announced.Target) || new FileInfo(announced.Target).LinkTarget is not null))
                    {
                        File.Delete(announced.Target);
                    }

                    File.CreateSymbolicLink(announced.Target, entry.LinkTarget ?? string.Empty);
                    NativeFileSystem.SetModificationTime(announced.Target, entry.MtimeUnixNs);
                    Done(entry.Path);
                    return;
                default:
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(entry.Path, e.Message);
            return;
        }

        // A file's blocks are on their way whatever happens here, so it is queued even when it cannot be
        // opened: its blocks are then consumed and dropped, keeping the global order intact.
        var state = new RestoreFileState(entry, announced.Target, announced.FirstSeq) { Failure = blocked };
        try
        {
            if (blocked is null)
            {
                Open(state);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            state.Failure = e;
        }

        _writing.Enqueue(state);
        WriteInOrder();
    }

    // The first folder between the output path and target that is a symlink, or null. A walk never records entries
    // below a symlink (it does not follow them), but a damaged or forged catalogue can, and creating them would
    // follow the link out of the output folder. Folders found to be real stay so for the rest of the restore
    // (a catalogue path is either a folder or a symlink), so each is checked once.
    private string? SymlinkOnTheWay(string target)
    {
        var checkedNow = new List<string>();
        for (var folder = Path.GetDirectoryName(target);
             folder is not null && folder.Length > _outputPath.Length && LocalPath.IsAtOrBelow(folder, _outputPath) && !_realDirectories.Contains(folder);
             folder = Path.GetDirectoryName(folder))
        {
            try
            {
                if (NativeFileSystem.GetStatus(folder).Kind == FileStatusKind.Symlink)
                {
                    return folder;
                }
            }
            catch (FileNotFoundException)
            {
                // Not there yet: the restore creates it as a real folder.
            }

            checkedNow.Add(folder);
        }

        _realDirectories.UnionWith(checkedNow);
        return null;
    }

    private void Open(RestoreFileState state)
    {
        var directory = Path.GetDirectoryName(state.Target)!;
        if (_createdDirectories.Add(directory))
        {
            Directory.CreateDirectory(directory);
        }

        state.TempPath = Path.Combine(directory, $".{Path.GetFileName(state.Target)}.isg-{Guid.NewGuid():N}.tmp");

        // Reserving space up front keeps large files contiguous; for small ones it is just one more system call.
        state.Handle = File.OpenHandle(state.TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None,
            FileOptions.None, preallocationSize: state.Entry.Size >= PreallocationMinimum ? state.Entry.Size : 0);
    }

    // Writes arrived blocks in global order; a file is finished as soon as its last block is consumed.
    private void WriteInOrder()
    {
        while (_writing.Count > 0)
        {
            var state = _writing.Peek();
            if (state.IsComplete)
            {
                _writing.Dequeue();
                Finish(state);
                continue;
            }

            if (!_arrived.Remove(_nextSeq, out var block))
            {
                return;
            }

            _nextSeq++;
            _inFlight.Release();
            using (block.Plaintext)
            {
                Consume(state, block);
            }

            state.BlocksDone++;
        }
    }

    private void Consume(RestoreFileState state, BlockDecoded block)
    {
        if (state.Failure is not null)
        {
            return;
        }

        if (block.Failure is not null || block.Plaintext is null)
        {
            state.Failure = block.Failure ?? new DataIntegrityException($"block {block.Id} could not be read");
            return;
        }

        try
        {
            RandomAccess.Write(state.Handle!, block.Plaintext.Span, state.Written);
            if (block.Plaintext.Length >= EarlyWriteBackMinimum)
            {
                // The disk starts now, so the file-system sync at the end finds little left to write.
                NativeFileSystem.StartWriteBack(state.Handle!);
            }

            state.Written += block.Plaintext.Length;
            state.Merkle.Append(block.Id.Hash);
            _bytes += block.Plaintext.Length;
            job.Progress?.Report(Progress(TransferEvent.Bytes, state.Entry.Path));
        }
        catch (IOException e)
        {
            state.Failure = e;
        }
    }

    private void Finish(RestoreFileState state)
    {
        var entry = state.Entry;
        if (state.Failure is null && state.Written != entry.Size)
        {
            state.Failure = new DataIntegrityException($"{entry.Path}: restored {state.Written} bytes, the catalogue says {entry.Size}");
        }

        if (state.Failure is null && state.Merkle.ComputeRoot() != entry.MerkleRoot)
        {
            state.Failure = new DataIntegrityException($"{entry.Path}: its blocks do not match the file's Merkle root");
        }

        if (state.Failure is not null)
        {
            Discard(state);
            Fail(entry.Path, state.Failure.Message);
            if (state.Failure is DataIntegrityException)
            {
                _corruptFiles++;
                Context.Logger.LogError("{Path}: {Reason}", entry.Path, state.Failure.Message);
            }

            return;
        }

        try
        {
            state.Handle!.Dispose();
            state.Handle = null;
            File.SetUnixFileMode(state.TempPath!, (UnixFileMode)(entry.Mode & 0xFFF));
            NativeFileSystem.SetModificationTime(state.TempPath!, entry.MtimeUnixNs);
            File.Move(state.TempPath!, state.Target, overwrite: job.Request.Overwrite);
            Done(entry.Path);
        }
        catch (IOException e)
        {
            Discard(state);
            Fail(entry.Path, File.Exists(state.Target) && !job.Request.Overwrite
                ? $"{state.Target} exists; use --force to replace it"
                : e.Message);
        }
    }

    private static void Discard(RestoreFileState state)
    {
        state.Handle?.Dispose();
        state.Handle = null;
        if (state.TempPath is not null)
        {
            File.Delete(state.TempPath);
        }
    }

    private void Done(string path)
    {
        _files++;
        _settled++;
        job.Progress?.Report(Progress(TransferEvent.FileDone, path));
    }

    private void Fail(string path, string reason)
    {
        _settled++;
        _failures.Add($"{path}: {reason}");
        job.Progress?.Report(Progress(TransferEvent.FileFailed, path, reason));
    }

    private void FinishIfDone()
    {
        if (_replied || !_feedingFinished)
        {
            return;
        }

        if (_writing.Count > 0)
        {
            if (_nextSeq < _requestedBlocks)
            {
                return;
            }

            // The feeder stopped early: these files will never get their remaining blocks.
            while (_writing.TryDequeue(out var truncated))
            {
                Discard(truncated);
                Fail(truncated.Entry.Path, "not restored: " + (_abort?.Message ?? "interrupted"));
            }
        }

        // Directory metadata last, deepest first: writing into a directory changes its mtime.
        foreach (var (path, mode, mtime) in _directories.OrderByDescending(d => d.Path, StringComparer.Ordinal))
        {
            try
            {
                File.SetUnixFileMode(path, (UnixFileMode)(mode & 0xFFF));
                NativeFileSystem.SetModificationTime(path, mtime);
            }
            catch (IOException e)
            {
                Context.Logger.LogWarning("{Path}: cannot set mode or mtime: {Reason}", path, e.Message);
            }
        }

        try
        {
            if (_files > 0)
            {
                // Not opened itself unless a folder: a restored symlink may dangle or name a FIFO.
                NativeFileSystem.SyncFileSystem(NativeFileSystem.GetStatus(_outputPath).Kind == FileStatusKind.Directory
                    ? _outputPath
                    : Path.GetDirectoryName(_outputPath)!);
            }
        }
        catch (IOException e)
        {
            _abort ??= e;
        }

        _replied = true;
        job.Progress?.Report(Progress(TransferEvent.Completed, string.Empty));
        job.ReplyTo.Reply(new TransferOutcome<RestoreReport>(Report(), _abort));
        Context.StopSelf();
    }

    private RestoreReport Report() => new(_files, _bytes, _failures.ToArray(), _corruptFiles);

    private TransferProgress Progress(TransferEvent kind, string path, string? detail = null) =>
        new(kind, path, _bytes, Math.Max(_totalBytes, _bytes), _settled, _totalFiles, detail);

    // The feeder: lists entries (one read snapshot), announces each, and asks the encoders for its blocks.
    private async Task FeedAsync(IActorRef<IRestoreJobCommand> self, IReplyTo<BlockDecoded> replyTo, CancellationToken cancellationToken)
    {
        try
        {
            var request = job.Request;
            using var source = OpenSource(request);
            var root = request.CatalogPath.Length == 0 ? null : source.GetEntry(request.CatalogPath);
            var totals = source.ListEntries(request.CatalogPath).Aggregate((Files: 0, Bytes: 0L), (t, e) => (t.Files + 1, t.Bytes + e.Size));
            if (totals.Files == 0)
            {
                throw new CatalogPathNotFoundException(request.CatalogPath);
            }

            await self.TellAsync(new RestoreScanned(totals.Files, totals.Bytes), cancellationToken).ConfigureAwait(false);
            var outputRoot = _outputPath;
            var singleFile = root is { Kind: not FileKind.Directory };
            if (singleFile && Directory.Exists(outputRoot))
            {
                outputRoot = Path.Combine(outputRoot, CatalogPath.Name(request.CatalogPath));
            }

            long seq = 0;
            Volatile.Write(ref _requested, 0);
            foreach (var entry in source.ListEntries(request.CatalogPath))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = CatalogPath.RelativeTo(entry.Path, request.CatalogPath);
                var target = relative.Length == 0 ? outputRoot : Path.GetFullPath(Path.Combine(outputRoot, relative));
                if (!LocalPath.IsAtOrBelow(target, outputRoot))
                {
                    await self.TellAsync(new EntryAnnounced(entry, target, seq, new IOException($"{entry.Path} would land outside {outputRoot}")), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (entry.Kind == FileKind.File && !request.Overwrite && Path.Exists(target))
                {
                    await self.TellAsync(new EntryAnnounced(entry, target, seq, new IOException($"{target} exists; use --force to replace it")), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await self.TellAsync(new EntryAnnounced(entry, target, seq, null), cancellationToken).ConfigureAwait(false);
                if (entry.Kind != FileKind.File)
                {
                    continue;
                }

                foreach (var window in source.GetBlocks(entry).Chunk(PeerFetchWindow))
                {
                    await FetchFromPeersAsync(window, cancellationToken).ConfigureAwait(false);
                    foreach (var block in window)
                    {
                        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                        await job.Encoders.TellAsync(new DecodeBlock(seq++, block.Id, replyTo), CancellationToken.None).ConfigureAwait(false);
                        Interlocked.Exchange(ref _requested, seq);
                    }
                }
            }

            self.Tell(new FeedingFinished(seq, null));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            self.Tell(new FeedingFinished(Interlocked.Read(ref _requested), e));
        }
    }

    // Blocks of the window that are stored nowhere here are asked of peers first (one batch per window keeps the
    // swarm busy on several at once while memory stays bounded by the window).
    private async Task FetchFromPeersAsync(FileBlock[] window, CancellationToken cancellationToken)
    {
        if (job.FetchFromPeers is not { } fetch)
        {
            return;
        }

        List<Isg.Protocol.Hashing.BlockId> missing;
        using (var reader = job.Repository.Catalog.CreateReader())
        {
            missing = [.. window.Select(b => b.Id).Distinct().Where(id => reader.GetBlockLocations(id).Count == 0)];
        }

        if (missing.Count > 0)
        {
            await fetch(missing, cancellationToken).ConfigureAwait(false);
        }
    }

    private IRestoreSource OpenSource(RestoreRequest request)
    {
        var catalog = job.Repository.Catalog;
        if (request.SnapshotId is not { } snapshotId)
        {
            return new CatalogRestoreSource(catalog);
        }

        using (var reader = catalog.CreateReader())
        {
            if (reader.FindSnapshot(snapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture)) is null)
            {
                throw new SnapshotNotFoundException(snapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return new SnapshotRestoreSource(catalog, snapshotId);
    }
}

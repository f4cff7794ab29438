using System.Buffers;
using System.Runtime.CompilerServices;
using Isg.Actors.Catalog;
using Isg.Actors.Storage;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Queue;

/// <summary>
/// A remote backend behind a persistent upload queue. <see cref="PutAsync"/> writes the object to a spool file under
/// the backend's state directory (temp file, fsync, rename); <see cref="FlushAsync"/> syncs the spool folder and
/// commits the objects' rows to the catalogue's upload_queue in one transaction, so once it returns the objects are
/// durable locally and survive a crash or kill. The catalogue may then record the chunks as stored on this backend:
/// reads (<see cref="GetAsync"/>, <see cref="ExistsAsync"/>, <see cref="ListAsync"/>) serve queued objects from the
/// spool and fall back to the platform. <see cref="UploadDueAsync"/> (driven by <see cref="UploaderActor"/>) uploads
/// due objects to the inner backend, flushes it, and only then deletes their rows and spool files; failures are
/// rescheduled with exponential backoff. The queue lives in the catalogue, so it resumes in the next process, and any
/// process's uploader drains rows queued by another. Thread-safe.
/// </summary>
public sealed class QueuedBackend : IStorageBackend, IObjectTimestamps, IDisposable
{
    private const string TempFolder = ".tmp";
    private const int MaxErrorLength = 300;

    private readonly IStorageBackend _inner;
    private readonly CatalogDatabase _catalog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UploadQueueOptions _options;
    private readonly string _temp;

    // Puts not yet committed by a flush (name -> length), and names a flush is committing right now (name -> count):
    // the uploader leaves their spool files alone, since their rows are about to be (re)written.
    private readonly object _lock = new();
    private readonly Dictionary<string, long> _unflushed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _flushing = new(StringComparer.Ordinal);

    // Serialises the writer: flush commits and upload completions (rows deleted, then spool files).
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private readonly SemaphoreSlim _uploadGate = new(1, 1);
    private CatalogWriter? _writer;
    private bool _disposed;

    /// <summary>
    /// Queues in front of <paramref name="inner"/>, spooling under <paramref name="spoolDirectory"/> (created when
    /// missing) and keeping rows in <paramref name="catalog"/>. Removes spool leftovers older than
    /// <see cref="UploadQueueOptions.OrphanAge"/> that no row names. Takes ownership of <paramref name="inner"/>.
    /// </summary>
    public QueuedBackend(IStorageBackend inner, CatalogDatabase catalog, string spoolDirectory, TimeProvider time, ILogger logger,
        UploadQueueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(spoolDirectory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _catalog = catalog;
        _time = time;
        _logger = logger;
        _options = options ?? new UploadQueueOptions();
        SpoolDirectory = Path.GetFullPath(spoolDirectory);
        _temp = Path.Combine(SpoolDirectory, TempFolder);
        Directory.CreateDirectory(_temp);
        RemoveLeftovers();
    }

    /// <summary>Raised (on the flushing thread) after a flush queued new objects; handlers must be quick.</summary>
    public event EventHandler? Enqueued;

    /// <summary>The platform backend (with its decorators) the queue uploads to.</summary>
    public IStorageBackend Inner => _inner;

    /// <summary>The folder queued objects are spooled in.</summary>
    public string SpoolDirectory { get; }

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities => _inner.Capabilities;

    /// <inheritdoc />
    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var temp = Path.Combine(_temp, $"{objectName}.{Guid.NewGuid():N}");
        try
        {
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            // Registered before the rename, so an upload pass that finishes meanwhile never deletes the new file.
            lock (_lock)
            {
                _unflushed[objectName] = data.Length;
            }

            File.Move(temp, SpoolPath(objectName), overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IMemoryOwner<byte>>(cancellationToken);
        }

        return TryReadSpool(objectName) is { } spooled ? Task.FromResult<IMemoryOwner<byte>>(spooled) : _inner.GetAsync(objectName, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        return File.Exists(SpoolPath(objectName)) ? Task.FromResult(true) : _inner.ExistsAsync(objectName, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                _unflushed.Remove(objectName);
            }

            Writer().DequeueUploads(Name, [objectName]);
            File.Delete(SpoolPath(objectName));
        }
        finally
        {
            _writerGate.Release();
        }

        // An upload of this object in flight now leaves an orphan on the platform, which garbage collection removes.
        await _inner.DeleteAsync(objectName, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var spooled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(SpoolDirectory))
        {
            var name = Path.GetFileName(path);
            if (ObjectNames.IsValid(name) && spooled.Add(name))
            {
                yield return name;
            }
        }

        await foreach (var name in _inner.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!spooled.Contains(name))
            {
                yield return name;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>A spooled object's spool file time; null when it is not spooled (the platform's layer answers then).</remarks>
    public Task<DateTimeOffset?> LastModifiedAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        var path = SpoolPath(objectName);
        return Task.FromResult(File.Exists(path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(path)) : (DateTimeOffset?)null);
    }

    /// <summary>
    /// Makes every completed Put durable locally: syncs the spool folder, then commits their queue rows in one
    /// transaction. Does not wait for the platform (see <see cref="UploadDueAsync"/>).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<KeyValuePair<string, long>> batch;
        lock (_lock)
        {
            if (_unflushed.Count == 0)
            {
                return;
            }

            batch = [.. _unflushed];
            _unflushed.Clear();
            foreach (var (name, _) in batch)
            {
                _flushing[name] = _flushing.GetValueOrDefault(name) + 1;
            }
        }

        try
        {
            NativeFileSystem.FsyncPath(SpoolDirectory);
            var now = _time.GetUtcNow();
            await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Writer().EnqueueUploads(Name, batch.Select(p => new UploadQueueEntry(p.Key, p.Value, now, 0, null, now)).ToList());
            }
            finally
            {
                _writerGate.Release();
            }
        }
        finally
        {
            lock (_lock)
            {
                foreach (var (name, _) in batch)
                {
                    if (--FlushingCount(name) == 0)
                    {
                        _flushing.Remove(name);
                    }
                }
            }
        }

        Enqueued?.Invoke(this, EventArgs.Empty);
    }

    /// <inheritdoc />
    public BackendFailureKind Classify(Exception exception) => _inner.Classify(exception);

    /// <summary>
    /// Uploads up to a batch of the objects due now (all queued objects when <paramref name="ignoreSchedule"/>), one at a
    /// time, stopping at the first failure (which is rescheduled with backoff); flushes the platform, then removes the
    /// uploaded objects' rows and spool files. One pass at a time; cancellation leaves the queue as it was.
    /// </summary>
    public async Task<UploadPass> UploadDueAsync(bool ignoreSchedule, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _uploadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            IReadOnlyList<UploadQueueEntry> due;
            using (var reader = _catalog.CreateReader())
            {
                due = reader.ListDueUploads(Name, ignoreSchedule ? DateTimeOffset.MaxValue : now, _options.BatchSize);
            }

            var uploaded = new List<string>(due.Count);
            var failed = 0;
            foreach (var entry in due)
            {
                using var bytes = TryReadSpool(entry.ObjectName);
                if (bytes is null)
                {
                    // Another process uploaded it (and removed the file) or a delete raced with us: the row is done.
                    _logger.LogInformation("Backend {Backend}: queued object {Object} has no spool file (uploaded or deleted elsewhere); dequeued",
                        Name, entry.ObjectName);
                    uploaded.Add(entry.ObjectName);
                    continue;
                }

                try
                {
                    await _inner.PutAsync(entry.ObjectName, bytes.Memory, cancellationToken).ConfigureAwait(false);
                    uploaded.Add(entry.ObjectName);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    await RecordFailureAsync(entry, e, cancellationToken).ConfigureAwait(false);
                    break;
                }
            }

            if (uploaded.Count > 0)
            {
                try
                {
                    await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    foreach (var entry in due.Where(d => uploaded.Contains(d.ObjectName)))
                    {
                        await RecordFailureAsync(entry, e, cancellationToken).ConfigureAwait(false);
                    }

                    failed += uploaded.Count;
                    uploaded.Clear();
                }

                await CompleteAsync(uploaded, cancellationToken).ConfigureAwait(false);
            }

            DateTimeOffset? next;
            using (var reader = _catalog.CreateReader())
            {
                next = reader.GetNextUploadDue(Name);
            }

            if (uploaded.Count > 0)
            {
                _logger.LogDebug("Backend {Backend}: uploaded {Uploaded} queued objects, {Failed} failed", Name, uploaded.Count, failed);
            }

            return new UploadPass(uploaded.Count, failed, next);
        }
        finally
        {
            _uploadGate.Release();
        }
    }

    /// <summary>Uploads everything queued, ignoring the retry schedule, until the queue is empty; throws the first failure.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var pass = await UploadDueAsync(ignoreSchedule: true, cancellationToken).ConfigureAwait(false);
            if (pass.Failed > 0)
            {
                string? error;
                using (var reader = _catalog.CreateReader())
                {
                    error = reader.GetUploadQueueSummaries().FirstOrDefault(s => s.Backend == Name)?.LastError;
                }

                throw new BackendException(BackendFailureKind.Transient, Name, $"upload failed: {error}");
            }

            if (pass.NextDueAt is null)
            {
                return;
            }
        }
    }

    /// <summary>Disposes the inner backend and the queue's catalogue connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer?.Dispose();
        (_inner as IDisposable)?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"QueuedBackend {{ {Name} }}";

    private ref int FlushingCount(string name) =>
        ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_flushing, name);

    private async Task CompleteAsync(List<string> uploaded, CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Writer().DequeueUploads(Name, uploaded);
            foreach (var name in uploaded)
            {
                bool rewritten;
                lock (_lock)
                {
                    rewritten = _unflushed.ContainsKey(name) || _flushing.ContainsKey(name);
                }

                // A Put of the same object since we read it: its flush will queue it again, so its file must stay.
                if (!rewritten)
                {
                    File.Delete(SpoolPath(name));
                }
            }
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private async Task RecordFailureAsync(UploadQueueEntry entry, Exception exception, CancellationToken cancellationToken)
    {
        var kind = exception is BackendException backendException ? backendException.Kind : _inner.Classify(exception);
        var retryAfter = (exception as BackendException)?.RetryAfter;
        var attempts = entry.Attempts + 1;
        var next = _time.GetUtcNow() + _options.Backoff(attempts, retryAfter, Random.Shared.NextDouble());

        // The kind and the exception's own message only: backends never put credentials in their messages.
        var message = $"{kind}: {exception.GetType().Name}: {exception.Message}";
        if (message.Length > MaxErrorLength)
        {
            message = message[..MaxErrorLength];
        }

        _logger.LogWarning("Backend {Backend}: upload of {Object} failed ({Kind}, attempt {Attempts}); next try at {Next:O}",
            Name, entry.ObjectName, kind, attempts, next);
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Writer().RecordUploadFailure(Name, entry.ObjectName, attempts, message, next);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private PooledBuffer? TryReadSpool(string objectName)
    {
        try
        {
            using var handle = File.OpenHandle(SpoolPath(objectName));
            var length = RandomAccess.GetLength(handle);
            var buffer = PooledBuffer.Rent(checked((int)length));
            try
            {
                var read = 0;
                while (read < length)
                {
                    var n = RandomAccess.Read(handle, buffer.Span[read..], read);
                    if (n == 0)
                    {
                        throw new IOException($"spool file of {objectName} shrank while being read");
                    }

                    read += n;
                }

                return buffer;
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private string SpoolPath(string objectName) => Path.Combine(SpoolDirectory, objectName);

    // Caller holds _writerGate.
    private CatalogWriter Writer() => _writer ??= _catalog.CreateWriter();

    // Temp files and spool files no row names are Puts that were never flushed (a crash). Another process may be
    // between a Put and its flush right now, so only old leftovers are removed.
    private void RemoveLeftovers()
    {
        var cutoff = _time.GetUtcNow() - _options.OrphanAge;
        HashSet<string> queued;
        using (var reader = _catalog.CreateReader())
        {
            queued = reader.ListUploadQueue(Name).Select(e => e.ObjectName).ToHashSet(StringComparer.Ordinal);
        }

        foreach (var path in Directory.EnumerateFiles(_temp).Concat(Directory.EnumerateFiles(SpoolDirectory)))
        {
            if (!queued.Contains(Path.GetFileName(path)) && File.GetLastWriteTimeUtc(path) < cutoff.UtcDateTime)
            {
                _logger.LogInformation("Backend {Backend}: removing spool leftover {Path} (never acknowledged)", Name, path);
                File.Delete(path);
            }
        }
    }
}

using Isg.Actors.Storage;
using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Backends.Local;

/// <summary>
/// Objects as files on a local file system: <c>&lt;root&gt;/&lt;first two characters&gt;/&lt;name&gt;</c>. A put
/// writes <c>&lt;root&gt;/tmp/&lt;instance&gt;/&lt;n&gt;</c> and renames it over the final name, so an object is
/// never visible half-written under its name. Each instance owns its temp directory through a lock file; at
/// startup the directories of instances that no longer hold their lock (a crash, a power cut) are removed.
/// Thread-safe. Linux only (fsync and syncfs through libc).
/// </summary>
public sealed class LocalBlockStore : IStorageBackend, IDisposable
{
    private const string TempDirectoryName = "tmp";
    private const string LockSuffix = ".lock";
    private const int PrefixLength = 2;

    private readonly LocalBlockStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;
    private readonly string _instanceTemp;
    private readonly string _instanceLock;
    private readonly SafeFileHandle _lock;
    private readonly LocalDurability _durability;
    private volatile bool _directIo;

    // SyncFs only: held for the store's lifetime, because syncfs reports write-back errors that happened since
    // this descriptor was opened; a descriptor opened per flush could miss an error another process already saw.
    private readonly SafeFileHandle? _fileSystem;
    private readonly BackendCapabilities _capabilities = new(Array.MaxLength, AcceptsOnlyVideo: false, IsLocal: true);
    private readonly HashSet<string> _knownDirectories = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushGate = new(1, 1);

    // Guarded by _pendingLock: what FlushAsync must make durable file by file (DeferredFsync, and direct puts under SyncFs).
    private readonly Lock _pendingLock = new();
    private HashSet<string> _pendingFiles = new(StringComparer.Ordinal);
    private HashSet<string> _pendingDirectories = new(StringComparer.Ordinal);
    private long _unflushedPuts;
    private long _tempCounter;
    private int _disposed;

    /// <summary>
    /// Opens (creating if needed) the store at <see cref="LocalBlockStoreOptions.RootDirectory"/>, takes this
    /// instance's temp lock and removes temp files left by instances that are gone.
    /// </summary>
    public LocalBlockStore(LocalBlockStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _root = Path.GetFullPath(options.RootDirectory);
        var tempRoot = Path.Combine(_root, TempDirectoryName);
        Directory.CreateDirectory(tempRoot);

        var instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _instanceLock = Path.Combine(tempRoot, instance + LockSuffix);
        _instanceTemp = Path.Combine(tempRoot, instance);
        // The lock exists before the directory, so a cleaner never sees our directory without our held lock.
        _lock = File.OpenHandle(_instanceLock, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        Directory.CreateDirectory(_instanceTemp);
        RemoveStaleTemporaries(tempRoot, instance);
        _durability = ChooseDurability(options.Durability, _logger, options.Name);
        _fileSystem = _durability == LocalDurability.SyncFs ? NativeFileSystem.OpenReadOnly(_root) : null;
        if (options.DirectIo)
        {
            TryUseDirectIo();
        }
    }

    // Objects from this size on are written and read with direct I/O (when the store uses it) or, buffered, have
    // their write-back started at once. Smaller ones stay buffered (see DirectFileIo.MinimumLength).
    private const int LargeObjectMinimum = DirectFileIo.MinimumLength;

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities => _capabilities;

    /// <summary>The store's root directory (full path).</summary>
    public string RootDirectory => _root;

    /// <summary>The durability mode in effect: the configured one, except SyncFs falls back to DeferredFsync before Linux 5.8.</summary>
    public LocalDurability Durability => _durability;

    /// <summary>Whether large objects bypass the page cache: asked for, and taken by the file system.</summary>
    public bool UsesDirectIo => _directIo;

    /// <summary>
    /// From now on, writes and reads objects of 256 KiB and more with direct I/O, if the file system takes it (probed
    /// here; when it does not, this is logged once and false returned). For a long-running node: it writes blocks
    /// for peers and reads them back rarely, so caching them only evicts other programs' pages, and copying into fresh
    /// page-cache pages was a third of a node's CPU while syncing (see <see cref="DirectFileIo"/>). A one-shot command
    /// keeps the page cache: its writes return before the disk has them, and a restore right after reads them there.
    /// Puts and gets already running finish the way they started.
    /// </summary>
    public bool TryUseDirectIo()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_directIo)
        {
            return true;
        }

        if (!DirectFileIo.IsSupported(_instanceTemp))
        {
            _logger.LogInformation("Local store {Name}: the file system under {Root} does not take direct I/O; objects go through the page cache", Name, _root);
            return false;
        }

        _directIo = true;
        return true;
    }

    /// <summary>Test seam: runs after a put's bytes are in its temp file, before fsync and rename; may throw to simulate a failure.</summary>
    internal Action<string>? AfterTempWrite { get; set; }

    /// <summary>Test seam: told "syncfs" or "fsync" as a flush chooses its barrier (not called when nothing is unflushed).</summary>
    internal Action<string>? BarrierChosen { get; set; }

    /// <inheritdoc />
    /// <remarks>
    /// Rejects names outside <c>^[0-9a-z]{16,128}$</c> with <see cref="ArgumentException"/>. A full disk or quota
    /// fails with <see cref="BackendFailureKind.Permanent"/> ("disk full") and leaves no temp file behind.
    /// Cancellation is honoured until the rename; after it the put has happened.
    /// </remarks>
    public Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (_directIo && data.Length >= LargeObjectMinimum)
        {
            // A direct write waits for the disk: on an I/O thread, so the caller's thread goes on meanwhile.
            return IoThreads.Run(() => Put(objectName, data.Span, direct: true, cancellationToken));
        }

        try
        {
            Put(objectName, data.Span, direct: false, cancellationToken);
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return e is OperationCanceledException && cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.FromException(e);
        }
    }

    // The put itself, on the calling thread (an I/O thread for a direct put): throws the translated failure (or
    // OperationCanceledException).
    private void Put(string objectName, ReadOnlySpan<byte> data, bool direct, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_root, objectName[..PrefixLength]);
        var final = Path.Combine(directory, objectName);
        var temp = Path.Combine(_instanceTemp, Interlocked.Increment(ref _tempCounter).ToString("x", CultureInfo.InvariantCulture));
        var durability = _durability;
        try
        {
            using (var handle = CreateTemp(temp))
            {
                // A file system may refuse O_DIRECT for one file (a FUSE mount's subtree): then this put is buffered.
                direct = direct && NativeFileSystem.TryEnableDirectIo(handle);
                if (direct)
                {
                    DirectFileIo.Write(handle, data);
                }
                else
                {
                    RandomAccess.Write(handle, data, 0);
                }

                AfterTempWrite?.Invoke(temp);
                if (durability == LocalDurability.PerPut)
                {
                    NativeFileSystem.Fsync(handle, temp);
                }
                else if (!direct && data.Length >= LargeObjectMinimum)
                {
                    // Let the disk start on large objects now, so the flush barrier before the catalogue commit
                    // finds little left; small ones are cheaper written back together by that barrier.
                    NativeFileSystem.StartWriteBack(handle);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            var createdDirectory = EnsureDirectory(directory);
            try
            {
                File.Move(temp, final, overwrite: true);
            }
            catch (DirectoryNotFoundException)
            {
                // The prefix directory was removed behind our back since we cached it: recreate it once.
                lock (_knownDirectories)
                {
                    _knownDirectories.Remove(directory);
                }

                createdDirectory = EnsureDirectory(directory);
                File.Move(temp, final, overwrite: true);
            }

            if (durability == LocalDurability.PerPut)
            {
                NativeFileSystem.FsyncPath(directory);
                if (createdDirectory)
                {
                    NativeFileSystem.FsyncPath(_root);
                }
            }
            else if (durability == LocalDurability.SyncFs && !direct)
            {
                // syncfs covers everything: only whether anything is unflushed matters.
                Interlocked.Increment(ref _unflushedPuts);
            }
            else
            {
                // DeferredFsync, or a direct put under SyncFs: its data is on the device already, so the barrier
                // may fsync it and its directory alone instead of waiting for the whole file system (see FlushAsync).
                lock (_pendingLock)
                {
                    _pendingFiles.Add(final);
                    _pendingDirectories.Add(directory);
                    if (createdDirectory)
                    {
                        _pendingDirectories.Add(_root);
                    }
                }
            }
        }
        catch (Exception e)
        {
            DeleteTemp(temp, objectName);
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw Translate(e, objectName, "put");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One open and one read for the object's length; the bytes are returned as stored. A large object is read with
    /// direct I/O (when the store uses it) into an <see cref="AlignedBuffer"/> on an I/O thread; a small one into a
    /// <see cref="PooledBuffer"/> on the caller's thread.
    /// </remarks>
    public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IMemoryOwner<byte>>(cancellationToken);
        }

        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(ObjectPath(objectName), FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                throw new BackendException(BackendFailureKind.Permanent, Name, $"object {objectName} is {length} bytes, more than a buffer can hold");
            }

            if (_directIo && length >= LargeObjectMinimum && NativeFileSystem.TryEnableDirectIo(handle))
            {
                var opened = handle;
                handle = null;
                return IoThreads.Run(() =>
                {
                    using (opened)
                    {
                        return ReadDirect(opened, objectName, (int)length);
                    }
                });
            }

            return Task.FromResult<IMemoryOwner<byte>>(ReadBuffered(handle, objectName, (int)length));
        }
        catch (Exception e)
        {
            return Task.FromException<IMemoryOwner<byte>>(Translate(e, objectName, "get"));
        }
        finally
        {
            handle?.Dispose();
        }
    }

    private IMemoryOwner<byte> ReadDirect(SafeFileHandle handle, string objectName, int length)
    {
        try
        {
            return DirectFileIo.Read(handle, length);
        }
        catch (EndOfStreamException e)
        {
            throw Shrank(objectName, length, e.Message);
        }
        catch (Exception e)
        {
            throw Translate(e, objectName, "get");
        }
    }

    private PooledBuffer ReadBuffered(SafeFileHandle handle, string objectName, int length) =>
        WholeFileRead.Read(handle, length, read => Shrank(objectName, length, $"read {read} of {length} bytes"));

    // Objects are replaced by rename, never truncated in place: only an outside writer shrinks one, so a retry may find it whole.
    private BackendException Shrank(string objectName, int length, string detail) =>
        new(BackendFailureKind.Transient, Name, $"object {objectName} shrank below {length} bytes while being read ({detail})");

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<bool>(cancellationToken)
            : Task.FromResult(File.Exists(ObjectPath(objectName)));
    }

    /// <inheritdoc />
    /// <remarks>The deletion is not synced: after a power cut a deleted object may reappear, and orphan collection removes it again.</remarks>
    public Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            File.Delete(ObjectPath(objectName));
            return Task.CompletedTask;
        }
        catch (DirectoryNotFoundException)
        {
            // No object ever had this prefix: already deleted.
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(Translate(e, objectName, "delete"));
        }
    }

    /// <inheritdoc />
    /// <remarks>Scans one prefix directory at a time on the thread pool; files that are not valid object names are skipped.</remarks>
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var directories = await Task.Run(ListPrefixDirectories, cancellationToken).ConfigureAwait(false);
        foreach (var directory in directories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var names = await Task.Run(() => ListObjects(directory), cancellationToken).ConfigureAwait(false);
            foreach (var name in names)
            {
                yield return name;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Contract with the catalogue: an object put but not yet flushed may be missing, empty or garbage after a
    /// power cut (the rename can reach the disk before the data). That is safe because the catalogue records a
    /// block only after FlushAsync returned, and ingest rewrites any block the catalogue does not know; so a
    /// damaged unflushed object is either rewritten or never referenced. With <see cref="LocalDurability.PerPut"/>
    /// every put is already durable and this returns at once. Flushes are serialised, so a flush never returns
    /// before the puts that completed before it are durable even while another flush is running.
    /// </remarks>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_fileSystem is not null)
            {
                await SyncFileSystemAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await FsyncPendingAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <inheritdoc />
    public BackendFailureKind Classify(Exception exception) => FileSystemFailures.Classify(exception);

    /// <summary>Releases this instance's temp lock and removes its (empty) temp directory. Pending puts stay unflushed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            Directory.Delete(_instanceTemp, recursive: true);
            File.Delete(_instanceLock);
        }
        catch (IOException e)
        {
            // The next instance's startup removes what is left.
            _logger.LogWarning(e, "Local store {Name}: could not remove temp directory {Path}", Name, _instanceTemp);
        }

        _lock.Dispose();
        _fileSystem?.Dispose();
        _flushGate.Dispose();
    }

    private async Task SyncFileSystemAsync(CancellationToken cancellationToken)
    {
        var puts = Interlocked.Exchange(ref _unflushedPuts, 0);
        if (puts == 0)
        {
            // Only direct puts (or none) since the last flush: their data is on the device, so fsyncing each file
            // and directory finishes them, where syncfs would also wait for every other program's dirty data here
            // (measured: a 256 MiB add through a node returned in 0.52-0.78 s instead of 0.75-1.03 s, its source
            // file just written).
            await FsyncPendingAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // syncfs covers the direct puts too.
        BarrierChosen?.Invoke("syncfs");
        var pending = TakePending();
        try
        {
            await Task.Run(() => NativeFileSystem.SyncFileSystem(_fileSystem!, _root), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Still unflushed; callers must redo the puts anyway, because after a failed write-back Linux may
            // report the pages clean.
            Interlocked.Add(ref _unflushedPuts, puts);
            if (pending is (var files, var directories))
            {
                KeepPending(files, directories);
            }

            throw Translate(e, objectName: null, "flush");
        }
    }

    // Null when nothing is pending (no new sets then: every flush of a SyncFs store asks).
    private (HashSet<string> Files, HashSet<string> Directories)? TakePending()
    {
        lock (_pendingLock)
        {
            if (_pendingFiles.Count == 0 && _pendingDirectories.Count == 0)
            {
                return null;
            }

            var taken = (_pendingFiles, _pendingDirectories);
            _pendingFiles = new HashSet<string>(StringComparer.Ordinal);
            _pendingDirectories = new HashSet<string>(StringComparer.Ordinal);
            return taken;
        }
    }

    private void KeepPending(HashSet<string> files, HashSet<string> directories)
    {
        lock (_pendingLock)
        {
            _pendingFiles.UnionWith(files);
            _pendingDirectories.UnionWith(directories);
        }
    }

    private async Task FsyncPendingAsync(CancellationToken cancellationToken)
    {
        if (TakePending() is not (var files, var directories))
        {
            return;
        }

        BarrierChosen?.Invoke("fsync");
        try
        {
            // Files before directories: a directory entry must not become durable pointing at unsynced data.
            await FsyncAllAsync(files, cancellationToken).ConfigureAwait(false);
            await FsyncAllAsync(directories, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Keep them pending so a later flush covers them again (see SyncFileSystemAsync on redoing puts).
            KeepPending(files, directories);
            throw Translate(e, objectName: null, "flush");
        }
    }

    private SafeFileHandle CreateTemp(string temp)
    {
        try
        {
            return File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (DirectoryNotFoundException)
        {
            // Our temp directory was removed by hand: recreate it rather than report the put as "not found".
            Directory.CreateDirectory(_instanceTemp);
            return File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
    }

    private static LocalDurability ChooseDurability(LocalDurability configured, ILogger logger, string name)
    {
        // Before 5.8, syncfs(2) returned success even when write-back failed, so it cannot be a durability barrier.
        if (configured == LocalDurability.SyncFs && Environment.OSVersion.Version < new Version(5, 8))
        {
            logger.LogWarning("Local store {Name}: kernel {Version} predates syncfs error reporting (5.8); using per-file fsync on flush",
                name, Environment.OSVersion.Version);
            return LocalDurability.DeferredFsync;
        }

        return configured;
    }

    private string ObjectPath(string objectName) => Path.Combine(_root, objectName[..PrefixLength], objectName);

    private bool EnsureDirectory(string directory)
    {
        lock (_knownDirectories)
        {
            if (_knownDirectories.Contains(directory))
            {
                return false;
            }
        }

        // May already exist (earlier run, another instance); reporting it as new only costs one extra fsync of the root.
        Directory.CreateDirectory(directory);
        lock (_knownDirectories)
        {
            _knownDirectories.Add(directory);
        }

        return true;
    }

    // On the shared I/O threads, several at once so the device can merge them. Not on threads of their own: a flush
    // used to start a dedicated thread per worker, and a syncing node, which flushes every few blocks, created
    // hundreds of threads per 256 MiB received.
    private static async Task FsyncAllAsync(HashSet<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return;
        }

        var fsyncs = new Task[paths.Count];
        var i = 0;
        foreach (var path in paths)
        {
            fsyncs[i++] = IoThreads.Run(() =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A path deleted since its put has nothing left to make durable.
                NativeFileSystem.FsyncPath(path);
            });
        }

        await Task.WhenAll(fsyncs).ConfigureAwait(false);
    }

    private string[] ListPrefixDirectories()
    {
        var result = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(directory.AsSpan());
            if (name.Length == PrefixLength && ObjectNames.HasOnlyValidCharacters(name))
            {
                result.Add(directory);
            }
        }

        return [.. result];
    }

    private static List<string> ListObjects(string directory)
    {
        var prefix = Path.GetFileName(directory);
        var names = new List<string>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                var name = Path.GetFileName(file);
                if (ObjectNames.IsValid(name) && name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    names.Add(name);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by hand while listing: it holds nothing.
        }

        return names;
    }

    private void DeleteTemp(string temp, string objectName)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Local store {Name}: could not remove temp file {Path} of object {Object}", Name, temp, objectName);
        }
    }

    private Exception Translate(Exception exception, string? objectName, string operation)
    {
        var what = objectName is null ? $"{operation} under {_root}" : $"{operation} of object {objectName}";
        return exception switch
        {
            OperationCanceledException or BackendException or ArgumentException => exception,
            FileNotFoundException or DirectoryNotFoundException =>
                new BackendException(BackendFailureKind.NotFound, Name, $"{what}: no such object", exception),
            UnauthorizedAccessException =>
                new BackendException(BackendFailureKind.Unauthorized, Name, $"{what}: permission denied", exception),
            IOException io when NativeFileSystem.IsDiskFull(io) =>
                new BackendException(BackendFailureKind.Permanent, Name, $"{what}: disk full ({io.Message})", exception),
            IOException io when FileSystemFailures.IsPermanent(io) =>
                new BackendException(BackendFailureKind.Permanent, Name, $"{what}: {io.Message}", exception),
            IOException io =>
                new BackendException(BackendFailureKind.Transient, Name, $"{what}: {io.Message}", exception),
            _ => exception,
        };
    }

    private void RemoveStaleTemporaries(string tempRoot, string ownInstance)
    {
        foreach (var entry in new DirectoryInfo(tempRoot).EnumerateFileSystemInfos())
        {
            if (entry.Name == ownInstance || entry.Name == ownInstance + LockSuffix)
            {
                continue;
            }

            try
            {
                if (entry is FileInfo file && file.Name.EndsWith(LockSuffix, StringComparison.Ordinal))
                {
                    RemoveIfStale(tempRoot, file);
                }
                else if (entry is DirectoryInfo directory)
                {
                    // A directory whose lock file exists is handled through the lock (its owner may be alive).
                    if (!File.Exists(Path.Combine(tempRoot, directory.Name + LockSuffix)))
                    {
                        directory.Delete(recursive: true);
                        _logger.LogInformation("Local store {Name}: removed stale temp directory {Path}", Name, directory.FullName);
                    }
                }
                else
                {
                    entry.Delete();
                    _logger.LogInformation("Local store {Name}: removed stale temp file {Path}", Name, entry.FullName);
                }
            }
            catch (IOException e)
            {
                // Another instance starting at the same time may be removing the same entry.
                _logger.LogDebug(e, "Local store {Name}: skipped temp entry {Path}", Name, entry.FullName);
            }
        }
    }

    private void RemoveIfStale(string tempRoot, FileInfo lockFile)
    {
        SafeFileHandle stale;
        try
        {
            stale = File.OpenHandle(lockFile.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            // Held: its instance is alive (or the file just went away).
            return;
        }

        using (stale)
        {
            var directory = Path.Combine(tempRoot, lockFile.Name[..^LockSuffix.Length]);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            lockFile.Delete();
        }

        _logger.LogInformation("Local store {Name}: removed temp files of stopped instance {Lock}", Name, lockFile.Name);
    }
}

using Isg.Actors.Storage;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Backends.Local;

/// <summary>
/// Objects on a local file system, without a file per object. An object under 256 KiB is kept in the store's index,
/// <c>objects.db</c> (SQLite); a larger one is appended to one of this instance's pack files, <c>packs/*.pack</c>, at an
/// aligned offset, and the index records where. A put is visible once its index row is committed, so an object is never
/// seen half-written; objects put before a <see cref="FlushAsync"/> are durable when it returns. Deleted objects leave
/// dead space in their pack until <see cref="CompactAsync"/> (run by gc) copies the live ones out. Stores written by
/// earlier versions, one file per object in <c>&lt;first two characters&gt;/&lt;name&gt;</c>, are still read, listed
/// and deleted. Each instance owns a temp directory through a lock file, which also tells other instances that its
/// packs are still being appended to. Several instances (processes) may share a store. Thread-safe. Linux only.
/// </summary>
/// <remarks>
/// Why packs: creating, renaming and syncing one file per block was 15-24 % of a syncing node's CPU (more on ext4
/// without a journal, where a creation scans the inodes freed in the last minutes), and a 4 KiB block cost an inode.
/// </remarks>
public sealed class LocalBlockStore : IStorageBackend, IDisposable
{
    /// <summary>The folder of pack files under the root.</summary>
    public const string PacksDirectoryName = "packs";

    private const string TempDirectoryName = "tmp";
    private const string LockSuffix = ".lock";
    private const int PrefixLength = 2;
    private const int ListPage = 1000;

    // Objects from this size on go to packs, written and read with direct I/O when the store uses it (see
    // DirectFileIo.MinimumLength); smaller ones live in the index.
    private const int LargeObjectMinimum = DirectFileIo.MinimumLength;

    private readonly LocalBlockStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;
    private readonly string _packs;
    private readonly string _tempRoot;
    private readonly string _instance;
    private readonly string _instanceTemp;
    private readonly string _instanceLock;
    private readonly SafeFileHandle _lock;
    private readonly LocalDurability _durability;
    private readonly ObjectIndex _index;
    private readonly PackAppender _appender;
    private readonly BackendCapabilities _capabilities = new(Array.MaxLength, AcceptsOnlyVideo: false, IsLocal: true);
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private volatile bool _directIo;
    private long _unflushedRows;
    private int _rootSynced;
    private int _disposed;

    /// <summary>
    /// Opens (creating if needed) the store at <see cref="LocalBlockStoreOptions.RootDirectory"/>: its index, this
    /// instance's temp lock; removes temp files left by instances that are gone.
    /// </summary>
    public LocalBlockStore(LocalBlockStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _root = Path.GetFullPath(options.RootDirectory);
        _packs = Path.Combine(_root, PacksDirectoryName);
        _tempRoot = Path.Combine(_root, TempDirectoryName);
        Directory.CreateDirectory(_tempRoot);

        _instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _instanceLock = Path.Combine(_tempRoot, _instance + LockSuffix);
        _instanceTemp = Path.Combine(_tempRoot, _instance);
        // The lock exists before the directory, so a cleaner never sees our directory without our held lock.
        _lock = File.OpenHandle(_instanceLock, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        Directory.CreateDirectory(_instanceTemp);
        RemoveStaleTemporaries(_tempRoot, _instance);
        _durability = options.Durability;
        try
        {
            _index = new ObjectIndex(_root, options.Name, syncEveryCommit: _durability == LocalDurability.PerPut);
        }
        catch
        {
            _lock.Dispose();
            throw;
        }

        _appender = new PackAppender(_packs, _instance, options.PreallocateMinimumFree);
        if (options.DirectIo)
        {
            TryUseDirectIo();
        }
    }

    /// <summary>
    /// Whether the folder holds no object and nothing but what a store writes (its index, packs without bytes, temp
    /// files): what an interrupted init leaves, safe to clear. False for anything else in it.
    /// </summary>
    public static bool HoldsNoObject(string root)
    {
        if (!Directory.Exists(root))
        {
            return true;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            var name = Path.GetFileName(entry);
            var ours = Directory.Exists(entry)
                ? name == TempDirectoryName || (name == PacksDirectoryName && Directory.EnumerateFiles(entry).All(f => new FileInfo(f).Length == 0))
                : name.StartsWith(ObjectIndex.FileName, StringComparison.Ordinal);
            if (!ours)
            {
                return false;
            }
        }

        if (!File.Exists(Path.Combine(root, ObjectIndex.FileName)))
        {
            return true;
        }

        using var index = new ObjectIndex(root, "check", syncEveryCommit: false);
        return index.NamesAfter(string.Empty, 1).Count == 0;
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public BackendCapabilities Capabilities => _capabilities;

    /// <summary>The store's root directory (full path).</summary>
    public string RootDirectory => _root;

    /// <summary>The durability mode in effect.</summary>
    public LocalDurability Durability => _durability;

    /// <summary>Whether large objects bypass the page cache: asked for, and taken by the file system.</summary>
    public bool UsesDirectIo => _directIo;

    /// <summary>
    /// From now on, writes and reads objects of 256 KiB and more with direct I/O, if the file system takes it (probed
    /// here; when it does not, this is logged once and false returned). For a long-running node: it writes blocks
    /// for peers and reads them back rarely, so caching them only evicts other programs' pages, and copying into fresh
    /// page-cache pages was a third of a node's CPU while syncing (see <see cref="DirectFileIo"/>). Blocks read for
    /// peers are the exception (<see cref="GetThroughPageCacheAsync"/>). A one-shot command
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

    /// <summary>
    /// Test seam: runs after a put's bytes are written (to its pack, or about to go inline), before the index records
    /// it; told the pack's path or the index's. May throw to simulate a failure.
    /// </summary>
    internal Action<string>? AfterWrite { get; set; }

    /// <summary>Test seam: told "fsync" when a flush has something to make durable (not called when nothing is unflushed).</summary>
    internal Action<string>? BarrierChosen { get; set; }

    /// <inheritdoc />
    /// <remarks>
    /// Rejects names outside <c>^[0-9a-z]{16,128}$</c> with <see cref="ArgumentException"/>. A full disk or quota
    /// fails with <see cref="BackendFailureKind.Permanent"/> ("disk full"); the name then keeps what it had.
    /// Cancellation is honoured until the index records the object; after that the put has happened.
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
        try
        {
            if (data.Length < LargeObjectMinimum)
            {
                AfterWrite?.Invoke(Path.Combine(_root, ObjectIndex.FileName));
                cancellationToken.ThrowIfCancellationRequested();
                _index.PutInline(objectName, data);
            }
            else
            {
                PutPacked(objectName, data, direct, cancellationToken);
            }

            Interlocked.Increment(ref _unflushedRows);
        }
        catch (Exception e)
        {
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw Translate(e, objectName, "put");
        }
    }

    private void PutPacked(string objectName, ReadOnlySpan<byte> data, bool direct, CancellationToken cancellationToken)
    {
        var (pack, offset) = AppendToPack(data, direct, cancellationToken);
        // Recorded only now: a reader never finds a row whose bytes are still being written.
        _index.PutPacked(objectName, pack, offset, data.Length);
    }

    // Writes data at a fresh aligned range of this instance's current pack and returns where; on failure the range's
    // space is given back and nothing points at it.
    private (string Pack, long Offset) AppendToPack(ReadOnlySpan<byte> data, bool direct, CancellationToken cancellationToken)
    {
        var (pack, offset) = _appender.Reserve(data.Length);
        var written = false;
        try
        {
            // A file system may refuse O_DIRECT for one file (a FUSE mount's subtree): then this put is buffered.
            var directHandle = direct ? pack.DirectHandle() : null;
            if (directHandle is not null)
            {
                DirectFileIo.WriteAt(directHandle, data, offset);
            }
            else
            {
                RandomAccess.Write(pack.Handle, data, offset);
                // Let the disk start on it now, so the flush barrier before the catalogue commit finds little left.
                NativeFileSystem.StartWriteBack(pack.Handle);
            }

            AfterWrite?.Invoke(pack.Path);
            if (_durability == LocalDurability.PerPut)
            {
                NativeFileSystem.Fsync(pack.Handle, pack.Path);
                NativeFileSystem.FsyncPath(_packs);
                SyncRootOnce();
            }

            cancellationToken.ThrowIfCancellationRequested();
            written = true;
            return (pack.Name, offset);
        }
        catch
        {
            // Whatever part of the range reached the disk is dead: give its space back (a full disk needs it most).
            NativeFileSystem.TryPunchHole(pack.Handle, offset, AlignedBuffer.PaddedLength(data.Length));
            throw;
        }
        finally
        {
            _appender.Complete(pack, written);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One index lookup; a packed object is then one open and one read (direct I/O for a large object when the store
    /// uses it, into an <see cref="AlignedBuffer"/> on an I/O thread). Objects of the one-file-per-object layout are
    /// read from their file. The bytes are returned as stored.
    /// </remarks>
    public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken) =>
        Get(objectName, throughPageCache: false, cancellationToken);

    /// <summary>
    /// As <see cref="GetAsync"/>, but a large object is read through the page cache even where this store bypasses it:
    /// for blocks served to peers. Peers ask for the same blocks one after another (the devices of a repository fetch
    /// what one of them added), and from the page cache each later read is a copy instead of a trip to the disk, which
    /// the devices fetching are busy writing to. A pack's pages that stay cached are the ones peers asked for; the blocks
    /// this node stores and its own reads keep away from the cache.
    /// </summary>
    public Task<IMemoryOwner<byte>> GetThroughPageCacheAsync(string objectName, CancellationToken cancellationToken) =>
        Get(objectName, throughPageCache: true, cancellationToken);

    private Task<IMemoryOwner<byte>> Get(string objectName, bool throughPageCache, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IMemoryOwner<byte>>(cancellationToken);
        }

        try
        {
            // Twice at most: gc's compaction may move the object and delete its pack between the lookup and the open.
            for (var attempt = 0; ; attempt++)
            {
                if (!_index.TryFind(objectName, out var entry, out var inline))
                {
                    return GetLegacy(objectName);
                }

                if (inline is not null)
                {
                    return Task.FromResult<IMemoryOwner<byte>>(inline);
                }

                SafeFileHandle handle;
                try
                {
                    handle = File.OpenHandle(Path.Combine(_packs, entry.Pack!), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                }
                catch (FileNotFoundException) when (attempt == 0)
                {
                    continue;
                }
                catch (FileNotFoundException e)
                {
                    throw new BackendException(BackendFailureKind.NotFound, Name, $"get of object {objectName}: its pack {entry.Pack} is gone", e);
                }

                return ReadPacked(handle, objectName, entry, throughPageCache);
            }
        }
        catch (Exception e)
        {
            return Task.FromException<IMemoryOwner<byte>>(Translate(e, objectName, "get"));
        }
    }

    // Takes ownership of handle. A large object in a store that bypasses the page cache is read on an I/O thread into
    // an AlignedBuffer: with direct I/O, or through the cache when asked (the buffer then comes from the same pool).
    private Task<IMemoryOwner<byte>> ReadPacked(SafeFileHandle handle, string objectName, IndexedObject entry, bool throughPageCache)
    {
        try
        {
            if (_directIo && entry.Length >= LargeObjectMinimum && (throughPageCache || NativeFileSystem.TryEnableDirectIo(handle)))
            {
                var opened = handle;
                handle = null!;
                return IoThreads.Run(() =>
                {
                    using (opened)
                    {
                        try
                        {
                            return (IMemoryOwner<byte>)(throughPageCache
                                ? ReadThroughPageCache(opened, objectName, entry)
                                : DirectFileIo.ReadAt(opened, entry.Offset, entry.Length));
                        }
                        catch (EndOfStreamException e)
                        {
                            throw Truncated(objectName, entry, e.Message);
                        }
                        catch (Exception e)
                        {
                            throw Translate(e, objectName, "get");
                        }
                    }
                });
            }

            return Task.FromResult<IMemoryOwner<byte>>(ReadBuffered(handle, objectName, entry));
        }
        finally
        {
            handle?.Dispose();
        }
    }

    private PooledBuffer ReadBuffered(SafeFileHandle handle, string objectName, IndexedObject entry) =>
        WholeFileRead.ReadAt(handle, entry.Offset, entry.Length, read => Truncated(objectName, entry, $"read {read} of {entry.Length} bytes"));

    // No readahead: past this object, the pack's pages may not be written yet (the current pack is allocated ahead and
    // filled by direct writes), and pages nobody asked for only take room in the cache.
    private AlignedBuffer ReadThroughPageCache(SafeFileHandle handle, string objectName, IndexedObject entry)
    {
        NativeFileSystem.TryAdviseRandomReads(handle);
        return WholeFileRead.ReadAlignedAt(handle, entry.Offset, entry.Length, read => Truncated(objectName, entry, $"read {read} of {entry.Length} bytes"));
    }

    // Packs only grow, and compaction deletes a pack only after moving what the index points into it: a pack that ends
    // before an object's bytes was damaged from outside.
    private BackendException Truncated(string objectName, IndexedObject entry, string detail) =>
        new(BackendFailureKind.Permanent, Name, $"object {objectName}: its pack {entry.Pack} ends before the object does ({detail})");

    private Task<IMemoryOwner<byte>> GetLegacy(string objectName)
    {
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(LegacyPath(objectName), FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                throw new BackendException(BackendFailureKind.Permanent, Name, $"object {objectName} is {length} bytes, more than a buffer can hold");
            }

            return Task.FromResult<IMemoryOwner<byte>>(WholeFileRead.Read(handle, (int)length,
                read => new BackendException(BackendFailureKind.Transient, Name, $"object {objectName} shrank below {length} bytes while being read (read {read})")));
        }
        finally
        {
            handle?.Dispose();
        }
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        try
        {
            return Task.FromResult(_index.Contains(objectName) || File.Exists(LegacyPath(objectName)));
        }
        catch (Exception e)
        {
            return Task.FromException<bool>(Translate(e, objectName, "exists"));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Forgets the object in the index (its pack bytes become dead space for <see cref="CompactAsync"/>) and deletes its
    /// file if an earlier version stored it as one. Not synced: after a power cut a deleted object may reappear, and
    /// orphan collection removes it again.
    /// </remarks>
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
            _index.Remove(objectName);
            File.Delete(LegacyPath(objectName));
            return Task.CompletedTask;
        }
        catch (DirectoryNotFoundException)
        {
            // No legacy object ever had this prefix.
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(Translate(e, objectName, "delete"));
        }
    }

    /// <inheritdoc />
    /// <remarks>The index's names in pages of 1,000, then those of the one-file-per-object layout not in the index.</remarks>
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        for (var after = string.Empty; ;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await Task.Run(() => _index.NamesAfter(after, ListPage), cancellationToken).ConfigureAwait(false);
            foreach (var name in page)
            {
                yield return name;
            }

            if (page.Count < ListPage)
            {
                break;
            }

            after = page[^1];
        }

        var directories = await Task.Run(ListPrefixDirectories, cancellationToken).ConfigureAwait(false);
        foreach (var directory in directories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var names = await Task.Run(() => ListObjects(directory).Where(n => !_index.Contains(n)).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var name in names)
            {
                yield return name;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Contract with the catalogue: an object put but not yet flushed may be missing, empty or garbage after a power
    /// cut (its index row can reach the disk before its pack bytes). That is safe because the catalogue records a
    /// block only after FlushAsync returned, and ingest rewrites any block the catalogue does not know; so a damaged
    /// unflushed object is either rewritten or never referenced. A flush fsyncs the packs written since the last one
    /// (and the packs folder when a pack was created), then commits once with a synced WAL, which makes every earlier
    /// index commit durable. With <see cref="LocalDurability.PerPut"/> every put is already durable and this returns
    /// at once. Flushes are serialised, so a flush never returns before the puts that completed before it are durable
    /// even while another flush is running.
    /// </remarks>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_durability == LocalDurability.PerPut)
        {
            return;
        }

        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var rows = Interlocked.Exchange(ref _unflushedRows, 0);
            var (packs, created) = _appender.TakeDirty();
            if (rows == 0 && packs.Count == 0 && !created)
            {
                return;
            }

            BarrierChosen?.Invoke("fsync");
            try
            {
                await FsyncPacksAsync(packs, cancellationToken).ConfigureAwait(false);
                // The rows after their bytes: an index entry must not become durable pointing at unsynced data.
                await IoThreads.Run(() =>
                {
                    if (created)
                    {
                        NativeFileSystem.FsyncPath(_packs);
                    }

                    _index.Barrier();
                    SyncRootOnce();
                }).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Still unflushed; callers must redo the puts anyway, because after a failed write-back Linux may
                // report the pages clean.
                Interlocked.Add(ref _unflushedRows, rows);
                _appender.KeepDirty(packs, created);
                throw Translate(e, objectName: null, "flush");
            }

            _appender.CloseIdle();
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <inheritdoc />
    public BackendFailureKind Classify(Exception exception) => FileSystemFailures.Classify(exception);

    /// <summary>
    /// Reclaims the dead space deletes left in packs: a pack no instance appends to any more whose live objects fill less
    /// than <paramref name="minimumLiveFraction"/> of it has them copied into this instance's pack, the index pointed at
    /// the copies, the copies flushed, and then the pack deleted; a pack with no live object is deleted at once. Packs
    /// of instances still running are left alone. Safe beside reads (a reader whose pack went away looks again) and
    /// beside puts and deletes of other instances (a copy whose object changed meanwhile is not pointed at).
    /// </summary>
    public async Task<PackCompaction> CompactAsync(double minimumLiveFraction, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumLiveFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumLiveFraction, 1);
        if (!Directory.Exists(_packs))
        {
            return new PackCompaction(0, 0, 0);
        }

        var usage = await Task.Run(_index.PackUsage, cancellationToken).ConfigureAwait(false);
        var emptied = new List<(string Path, long Size, long Live)>();
        var moved = 0;
        foreach (var file in new DirectoryInfo(_packs).EnumerateFiles("*" + PackAppender.Suffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (PackAppender.InstanceOf(file.Name) is not { } owner || IsAppendedTo(file.Name, owner))
            {
                continue;
            }

            var (live, _) = usage.GetValueOrDefault(file.Name);
            if (live > 0 && live >= minimumLiveFraction * file.Length)
            {
                continue;
            }

            if (live > 0)
            {
                moved += await Task.Run(() => MoveLiveObjects(file.Name, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            emptied.Add((file.FullName, file.Length, live));
        }

        if (emptied.Count == 0)
        {
            return new PackCompaction(0, moved, 0);
        }

        // The copies are durable, and the index points at them durably, before the packs they came from go.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (path, _, _) in emptied)
        {
            File.Delete(path);
        }

        var reclaimed = emptied.Sum(e => e.Size - e.Live);
        _logger.LogInformation("Local store {Name}: compaction removed {Packs} packs, moved {Objects} live objects, reclaimed {Bytes} bytes",
            Name, emptied.Count, moved, reclaimed);
        return new PackCompaction(emptied.Count, moved, reclaimed);
    }

    // Copies the objects the index points into pack to this instance's pack, one open of the pack for all of them.
    private int MoveLiveObjects(string pack, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(Path.Combine(_packs, pack), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var moved = 0;
        foreach (var (name, offset, length) in _index.ObjectsIn(pack))
        {
            using var bytes = ReadBuffered(handle, name, new IndexedObject(pack, offset, length));
            var (target, at) = AppendToPack(bytes.Span, direct: false, cancellationToken);
            if (_index.Move(name, pack, offset, target, at))
            {
                moved++;
            }
        }

        return moved;
    }

    // Whether an instance may still append to the pack: this one's current pack, or another live instance's.
    private bool IsAppendedTo(string packName, string owner)
    {
        if (owner == _instance)
        {
            return _appender.IsAppending(packName);
        }

        try
        {
            using var held = File.OpenHandle(Path.Combine(_tempRoot, owner + LockSuffix), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            // The lock is held: its instance is alive.
            return true;
        }
    }

    /// <summary>Test seam: where the bytes of <paramref name="objectName"/> are (null when the store does not hold it).</summary>
    internal StoredObjectLocation? Locate(string objectName)
    {
        if (_index.TryFind(objectName, out var entry, out var inline))
        {
            inline?.Dispose();
            return entry.IsInline
                ? new StoredObjectLocation(Path.Combine(_root, ObjectIndex.FileName), -1, entry.Length)
                : new StoredObjectLocation(Path.Combine(_packs, entry.Pack!), entry.Offset, entry.Length);
        }

        var legacy = LegacyPath(objectName);
        return File.Exists(legacy) ? new StoredObjectLocation(legacy, 0, (int)new FileInfo(legacy).Length) : null;
    }

    /// <summary>
    /// Test seam: replaces the stored bytes of <paramref name="objectName"/> behind the store's back, as damage on disk
    /// would (same length or shorter); returns false when the store does not hold it.
    /// </summary>
    internal bool Tamper(string objectName, Func<byte[], byte[]> damage)
    {
        if (!_index.TryFind(objectName, out var entry, out var inline))
        {
            var legacy = LegacyPath(objectName);
            if (!File.Exists(legacy))
            {
                return false;
            }

            File.WriteAllBytes(legacy, damage(File.ReadAllBytes(legacy)));
            return true;
        }

        if (inline is not null)
        {
            var damaged = damage(inline.Span.ToArray());
            inline.Dispose();
            _index.PutInline(objectName, damaged);
            return true;
        }

        var path = Path.Combine(_packs, entry.Pack!);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        byte[] replaced;
        using (var original = ReadBuffered(handle, objectName, entry))
        {
            replaced = damage(original.Span.ToArray());
        }

        if (replaced.Length > entry.Length)
        {
            throw new ArgumentException("damage may shorten an object, not lengthen it", nameof(damage));
        }

        RandomAccess.Write(handle, replaced, entry.Offset);
        if (replaced.Length < entry.Length)
        {
            // A truncated object: the pack ends where the damaged bytes end.
            RandomAccess.SetLength(handle, entry.Offset + replaced.Length);
        }

        return true;
    }

    /// <summary>Closes the index and the packs, releases this instance's temp lock and removes its (empty) temp directory. Unflushed puts stay unflushed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _appender.Dispose();
        _index.Dispose();
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
        _flushGate.Dispose();
    }

    // The root's entries (the index, its WAL, the packs folder) must be durable too: synced once per instance, after
    // they exist; a flush that fails here retries it.
    private void SyncRootOnce()
    {
        if (Interlocked.CompareExchange(ref _rootSynced, 1, 0) == 0)
        {
            try
            {
                NativeFileSystem.FsyncPath(_root);
            }
            catch
            {
                _rootSynced = 0;
                throw;
            }
        }
    }

    // On the shared I/O threads, several at once so the device can merge them.
    private static async Task FsyncPacksAsync(List<PackFile> packs, CancellationToken cancellationToken)
    {
        if (packs.Count == 0)
        {
            return;
        }

        var fsyncs = new Task[packs.Count];
        for (var i = 0; i < packs.Count; i++)
        {
            var pack = packs[i];
            fsyncs[i] = IoThreads.Run(() =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                NativeFileSystem.Fsync(pack.Handle, pack.Path);
            });
        }

        await Task.WhenAll(fsyncs).ConfigureAwait(false);
    }

    private string LegacyPath(string objectName) => Path.Combine(_root, objectName[..PrefixLength], objectName);

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

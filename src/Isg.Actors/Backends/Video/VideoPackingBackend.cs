using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Isg.Actors.Backends.Local;
using Isg.Actors.Storage;
using Isg.Actors.Video;
using Isg.Protocol.Errors;
using Isg.Protocol.Keys;
using Isg.Protocol.Video;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Backends.Video;

/// <summary>
/// A backend for media that take only video: objects are spooled as files, then packed (<see cref="BlockPack"/>) and
/// encoded into ISGv2 videos with the configured profile. Layout under the root: <c>spool/&lt;name&gt;.&lt;gen&gt;</c>
/// (objects not yet in a video; they survive a crash and are packed later), <c>videos/&lt;id&gt;.&lt;ext&gt;</c> with
/// <c>videos/&lt;id&gt;.index</c> (the objects the video holds, written atomically once the video is durable) and
/// <c>videos/&lt;id&gt;.dead</c> (tombstones of deleted objects), <c>cache/&lt;id&gt;.payload</c> (decoded packs, LRU by
/// bytes), <c>work/</c> (packs being encoded) and <c>pending/</c> (packs encoded and being stored: their index and the
/// spool files they hold, so that a store cut by a failure or a crash is finished by <see cref="IVideoStore.ResumeAsync"/>,
/// e.g. on the same upload session, instead of packing the objects again). A pack is sealed when the spool reaches the pack size (in the
/// background) and on <see cref="FlushAsync"/>; spooled objects are removed only after their video and index are
/// durable. A get reads the spool, else decodes the object's video once into the cache and reads its range. A lost
/// index is rebuilt by decoding its video, whose payload names its objects. A video whose objects are all deleted is
/// removed; partly dead videos are not repacked. One instance writes a folder at a time. Thread-safe.
/// Where the videos go is an <see cref="IVideoStore"/>: by default a <see cref="LocalVideoStore"/> over <c>videos/</c>;
/// a platform's store (YouTube) uploads them instead, while the indexes and tombstones stay in <c>videos/</c> here.
/// </summary>
public sealed class VideoPackingBackend : IStorageBackend, IQuotaReporter, IDisposable
{
    private const string SpoolDirectoryName = "spool";
    private const string VideosDirectoryName = "videos";
    private const string CacheDirectoryName = "cache";
    private const string WorkDirectoryName = "work";
    private const string PendingDirectoryName = "pending";
    private const string SpoolListExtension = ".spool";
    private const string IndexExtension = ".index";
    private const string TombstoneExtension = ".dead";
    private const string TempSuffix = ".tmp";

    private readonly VideoPackingBackendOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;
    private readonly string _spool;
    private readonly string _videos;
    private readonly string _work;
    private readonly string _pending;
    private readonly PackCache _cache;
    private readonly IVideoStore _store;
    private readonly BackendCapabilities _capabilities;
    private readonly SemaphoreSlim _sealGate = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();

    // Guarded by _state.
    private readonly Lock _state = new();
    private readonly Dictionary<string, SpoolFile> _spooled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PackedObject> _packed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PackVideo> _videoById = new(StringComparer.Ordinal);
    private readonly List<string> _unindexed = [];
    private readonly Dictionary<string, PendingSeal> _pendingSeals = new(StringComparer.Ordinal);
    private long _spooledBytes;
    private Task _backgroundSeal = Task.CompletedTask;

    private readonly HashSet<string> _verified = new(StringComparer.Ordinal);
    private long _generation;
    private int _disposed;

    /// <summary>
    /// Opens (creating if needed) the store at <see cref="VideoPackingBackendOptions.RootDirectory"/>: reads the video
    /// indexes and tombstones, finds the spooled objects, and removes what interrupted work left behind. Videos
    /// whose index is missing are indexed by decoding them before the first call that needs the full picture.
    /// </summary>
    public VideoPackingBackend(VideoPackingBackendOptions options, ILogger? logger = null)
        : this(options, store: null, logger)
    {
    }

    /// <summary>
    /// Opens the store as above, with the videos kept by <paramref name="store"/> (null: a <see cref="LocalVideoStore"/>
    /// over <c>videos/</c>). The backend owns the store and disposes it.
    /// </summary>
    public VideoPackingBackend(VideoPackingBackendOptions options, IVideoStore? store, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _root = Path.GetFullPath(options.RootDirectory);
        _spool = Path.Combine(_root, SpoolDirectoryName);
        _videos = Path.Combine(_root, VideosDirectoryName);
        _work = Path.Combine(_root, WorkDirectoryName);
        _pending = Path.Combine(_root, PendingDirectoryName);
        Directory.CreateDirectory(_spool);
        Directory.CreateDirectory(_videos);
        Directory.CreateDirectory(_pending);
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }

        Directory.CreateDirectory(_work);
        _store = store ?? new LocalVideoStore(_videos, new HashSet<string>(StringComparer.Ordinal) { IndexExtension, TombstoneExtension });
        _capabilities = new BackendCapabilities(Array.MaxLength, AcceptsOnlyVideo: true, _store.IsLocal) { Quota = _store.Quota };
        _cache = new PackCache(Path.Combine(_root, CacheDirectoryName), options.CacheBytes, _logger);
        LoadSpool();
        LoadVideos();
        LoadPending();
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    /// <remarks>AcceptsOnlyVideo: its medium holds only videos; objects given to it are packed into them.</remarks>
    public BackendCapabilities Capabilities => _capabilities;

    /// <inheritdoc />
    /// <remarks>The store's, when it keeps account (a platform with a quota).</remarks>
    public BackendQuotaState? QuotaState() => (_store as IQuotaReporter)?.QuotaState();

    /// <summary>The store's root directory (full path).</summary>
    public string RootDirectory => _root;

    /// <summary>The folder holding the index and tombstone files (and the videos, with the default local store).</summary>
    public string VideosDirectory => _videos;

    /// <summary>Where the videos go (a platform's store exposes its quota and usage).</summary>
    public IVideoStore Store => _store;

    /// <summary>The folder of decoded pack payloads.</summary>
    public string CacheDirectory => Path.Combine(_root, CacheDirectoryName);

    /// <summary>Bytes spooled and not yet sealed into a video.</summary>
    public long SpooledBytes
    {
        get
        {
            lock (_state)
            {
                return _spooledBytes;
            }
        }
    }

    /// <summary>Packs encoded whose store did not complete (resumed at the next seal or flush).</summary>
    public IReadOnlyCollection<string> PendingSeals
    {
        get
        {
            lock (_state)
            {
                return [.. _pendingSeals.Keys];
            }
        }
    }

    /// <summary>Videos that hold at least one live object.</summary>
    public int VideoCount
    {
        get
        {
            lock (_state)
            {
                return _videoById.Count;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The object is written to the spool (temp file, then rename); reaching the pack size starts a seal in the background.</remarks>
    public Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var generation = Interlocked.Increment(ref _generation);
        var path = Path.Combine(_spool, string.Create(CultureInfo.InvariantCulture, $"{objectName}.{generation:x16}"));
        var temp = path + TempSuffix;
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, data.Span, 0);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, path);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            return e is OperationCanceledException && cancellationToken.IsCancellationRequested
                ? Task.FromCanceled(cancellationToken)
                : Task.FromException(Translate(e, objectName, "put"));
        }

        var spooled = new SpoolFile(objectName, path, data.Length, generation);
        lock (_state)
        {
            if (_spooled.Remove(objectName, out var old))
            {
                Retire(old);
            }

            _spooled[objectName] = spooled;
            _spooledBytes += data.Length;
            if (_spooledBytes >= _options.PackSize && _backgroundSeal.IsCompleted)
            {
                _backgroundSeal = Task.Run(SealInBackgroundAsync, CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>
    /// From the spool when the object is still there; otherwise its video is decoded into the cache (once for all
    /// the objects it holds) and the object's range read. A video that cannot be decoded, or whose payload does not
    /// hold what its index says, fails Permanent: never wrong bytes.
    /// </remarks>
    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureIndexedAsync(cancellationToken).ConfigureAwait(false);
        // A few rounds: the object may move from the spool into a video, or a cached payload be evicted, meanwhile.
        for (var attempt = 0; ; attempt++)
        {
            SpoolFile? spooled;
            PackedObject? packed;
            lock (_state)
            {
                _spooled.TryGetValue(objectName, out spooled);
                _packed.TryGetValue(objectName, out packed);
            }

            try
            {
                if (spooled is not null)
                {
                    return ReadSpoolFile(spooled);
                }

                if (packed is null)
                {
                    throw new BackendException(BackendFailureKind.NotFound, Name, $"get of object {objectName}: no such object");
                }

                return await ReadPackedAsync(packed, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
                if (spooled is null && packed is not null)
                {
                    _cache.Remove(packed.Video.Id);
                }
            }
            catch (Exception e)
            {
                throw Translate(e, objectName, "get");
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureIndexedAsync(cancellationToken).ConfigureAwait(false);
        lock (_state)
        {
            return _spooled.ContainsKey(objectName) || _packed.ContainsKey(objectName);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Removes the spooled copy and tombstones the packed one (appended to the video's <c>.dead</c> file, not synced:
    /// after a power cut a deleted object may reappear, and orphan collection removes it again). A video left with
    /// no live object is removed.
    /// </remarks>
    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureIndexedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_state)
            {
                if (_spooled.Remove(objectName, out var spooled))
                {
                    Retire(spooled);
                }

                if (_packed.Remove(objectName, out var packed))
                {
                    Tombstone(packed);
                }
            }
        }
        catch (Exception e)
        {
            throw Translate(e, objectName, "delete");
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureIndexedAsync(cancellationToken).ConfigureAwait(false);
        string[] names;
        lock (_state)
        {
            names = [.. _spooled.Keys.Union(_packed.Keys, StringComparer.Ordinal)];
        }

        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Seals everything spooled into videos (in packs of at most the pack size; one video per pack) and returns once
    /// the videos and their indexes are durable. Nothing spooled: returns at once. Serialised with other seals.
    /// </remarks>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureIndexedAsync(cancellationToken).ConfigureAwait(false);
        await _sealGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SealSpoolAsync(onlyFullPacks: false, cancellationToken).ConfigureAwait(false);
            await _store.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Translate(e, objectName: null, "flush");
        }
        finally
        {
            _sealGate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// As <see cref="FileSystemFailures.Classify"/>, but an ffmpeg or ffprobe run that failed (not one that could not start
    /// or found no video) is Transient; bad videos and packs (<see cref="VideoException"/>,
    /// <see cref="ProtocolException"/>) are Permanent.
    /// </remarks>
    public BackendFailureKind Classify(Exception exception) =>
        exception is VideoToolException { Kind: VideoToolErrorKind.Failed } ? BackendFailureKind.Transient : FileSystemFailures.Classify(exception);

    /// <summary>Stops background sealing; spooled objects stay in the spool for the next instance.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The token stays valid (not disposed): a seal or decode still running observes the cancellation.
        _lifetime.Cancel();
        _store.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Removed at the next open.
        }
    }

    private static PooledBuffer ReadSpoolFile(SpoolFile spooled)
    {
        using var handle = File.OpenHandle(spooled.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        return WholeFileRead.Read(handle, spooled.Length,
            _ => new IOException($"spooled object {spooled.Name} is shorter than the {spooled.Length} bytes put"));
    }

    private async Task<IMemoryOwner<byte>> ReadPackedAsync(PackedObject packed, CancellationToken cancellationToken)
    {
        var video = packed.Video;
        var payload = await _cache.GetAsync(video.Id, (output, token) => DecodeAsync(video, output, token), _lifetime.Token, cancellationToken)
            .ConfigureAwait(false);
        using var reader = OpenVerified(video, payload);
        return reader.Read(packed.Entry);
    }

    private async Task DecodeAsync(PackVideo video, string output, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(_work, $"{video.Id}.{Guid.NewGuid():N}.download");
        try
        {
            var path = await _store.FetchAsync(video.Id, scratch, cancellationToken).ConfigureAwait(false);
            var result = await VideoFileDecoder.DecodeAsync(new VideoDecodeRequest(path, output, Passphrase: null), null, cancellationToken)
                .ConfigureAwait(false);
            if (result.Metadata.Name != PayloadName(video.Id))
            {
                File.Delete(output);
                throw new BackendException(BackendFailureKind.Permanent, Name,
                    $"video {video.Id} holds pack '{result.Metadata.Name}', not {PayloadName(video.Id)}: it was replaced");
            }
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    // The first use of a cached payload in this process checks its index against the video's recorded one.
    private BlockPackReader OpenVerified(PackVideo video, string payload)
    {
        var reader = BlockPackReader.Open(payload);
        try
        {
            lock (_verified)
            {
                if (_verified.Contains(video.Id))
                {
                    return reader;
                }
            }

            foreach (var entry in video.Written.Entries)
            {
                if (!reader.Index.TryGet(entry.Name, out var actual) || actual != entry)
                {
                    _cache.Remove(video.Id);
                    throw new BackendException(BackendFailureKind.Permanent, Name,
                        $"video {video.Id} does not hold object {entry.Name} where its index says: index and video disagree");
                }
            }

            lock (_verified)
            {
                _verified.Add(video.Id);
            }

            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static string PayloadName(string id) => id + ".isgp";

    private async Task SealInBackgroundAsync()
    {
        try
        {
            await _sealGate.WaitAsync(_lifetime.Token).ConfigureAwait(false);
            try
            {
                await SealSpoolAsync(onlyFullPacks: true, _lifetime.Token).ConfigureAwait(false);
            }
            finally
            {
                _sealGate.Release();
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Closing: the spool is packed by the next instance.
        }
        catch (Exception e)
        {
            // The objects stay spooled; the next flush packs them again and reports its own failure.
            _logger.LogWarning(e, "Video store {Name}: packing {Bytes} spooled bytes failed", Name, SpooledBytes);
        }
    }

    // Caller holds _sealGate.
    private async Task SealSpoolAsync(bool onlyFullPacks, CancellationToken cancellationToken)
    {
        await ResumePendingAsync(cancellationToken).ConfigureAwait(false);
        List<SpoolFile> batch;
        lock (_state)
        {
            batch = [.. _spooled.Values.Where(s => !s.Sealing).OrderBy(s => s.Generation)];
            var total = batch.Sum(s => (long)s.Length);
            if (batch.Count == 0 || (onlyFullPacks && total < _options.PackSize))
            {
                return;
            }

            foreach (var spooled in batch)
            {
                spooled.Sealing = true;
            }
        }

        var packs = Split(batch, _options.PackSize);
        var done = 0;
        try
        {
            for (; done < packs.Count; done++)
            {
                if (onlyFullPacks && done == packs.Count - 1 && packs[done].Sum(s => (long)s.Length) < _options.PackSize)
                {
                    break;
                }

                await SealPackAsync(packs[done], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_state)
            {
                foreach (var spooled in packs.Skip(done).SelectMany(p => p))
                {
                    if (spooled.PendingSeal is not null)
                    {
                        // Its pack is encoded and waits to be stored: the next seal resumes that, not a new pack.
                        continue;
                    }

                    spooled.Sealing = false;
                    if (spooled.Dead)
                    {
                        TryDelete(spooled.Path);
                    }
                }
            }
        }
    }

    private static List<List<SpoolFile>> Split(List<SpoolFile> batch, long packSize)
    {
        var packs = new List<List<SpoolFile>>();
        var current = new List<SpoolFile>();
        long bytes = 0;
        foreach (var spooled in batch)
        {
            if (current.Count > 0 && bytes + spooled.Length > packSize)
            {
                packs.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(spooled);
            bytes += spooled.Length;
        }

        packs.Add(current);
        return packs;
    }

    private async Task SealPackAsync(List<SpoolFile> pack, CancellationToken cancellationToken)
    {
        var id = VideoPackIds.New();
        var payload = Path.Combine(_work, id + ".payload");
        var video = Path.Combine(_work, $"{id}.{_options.Profile.Encoding.FileExtension}");
        try
        {
            var index = await BlockPackWriter.WriteAsync(payload, [.. pack.Select(s => new PackSource(s.Name, s.Path, s.Length))], cancellationToken)
                .ConfigureAwait(false);
            await VideoFileEncoder.EncodeAsync(
                new VideoEncodeRequest(payload, video, _options.Profile, Passphrase: null, Argon2Parameters.Default, PayloadName(id)),
                null, cancellationToken).ConfigureAwait(false);
            // From here the pack's objects belong to this video until it is stored or given up, in this process or
            // (the pending record is durable) the next one.
            var seal = new PendingSeal(id, index, pack);
            WritePending(seal);
            lock (_state)
            {
                _pendingSeals[id] = seal;
                foreach (var spooled in pack)
                {
                    spooled.PendingSeal = id;
                }
            }

            try
            {
                // The video is durable in the store before its index names it: a crash between the two is healed from
                // the pending record (or, without one, by rebuilding the index from the video).
                await _store.StoreAsync(id, video, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!WorthResuming(e))
            {
                Abandon(seal);
                throw;
            }

            Complete(seal, payload);
        }
        finally
        {
            TryDelete(payload);
            TryDelete(video);
        }
    }

    // Stores left unfinished by a failure or a crash go on where the store kept them; one it kept nothing of (or that
    // fails for good) is given up and its objects are packed again. Caller holds _sealGate.
    private async Task ResumePendingAsync(CancellationToken cancellationToken)
    {
        PendingSeal[] pending;
        lock (_state)
        {
            pending = [.. _pendingSeals.Values];
        }

        foreach (var seal in pending)
        {
            bool stored;
            try
            {
                stored = await _store.ResumeAsync(seal.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!WorthResuming(e))
            {
                Abandon(seal);
                throw;
            }

            if (stored)
            {
                Complete(seal, payload: null);
            }
            else
            {
                _logger.LogWarning("Video store {Name}: nothing is left of the unfinished store of video {Video}; its {Objects} objects are packed again",
                    Name, seal.Id, seal.Pack.Count);
                Abandon(seal);
            }
        }
    }

    // A store that failed this way may succeed later on what the store kept (a platform's upload session).
    private bool WorthResuming(Exception exception) =>
        exception is OperationCanceledException || Classify(exception) is not (BackendFailureKind.Permanent or BackendFailureKind.NotFound);

    // The store holds the video: its index becomes the video's, its objects leave the spool. With the payload (this
    // process encoded it), the decoded pack is cached as well.
    private void Complete(PendingSeal seal, string? payload)
    {
        var id = seal.Id;
        var index = seal.Index;
        WriteIndexFile(id, index);
        var record = new PackVideo(id, index);
        lock (_state)
        {
            _pendingSeals.Remove(id);
            _unindexed.Remove(id);
            _videoById[id] = record;
            var members = new HashSet<string>(StringComparer.Ordinal);
            foreach (var spooled in seal.Pack)
            {
                members.Add(spooled.Name);
                index.TryGet(spooled.Name, out var entry);
                var current = _spooled.TryGetValue(spooled.Name, out var now) && ReferenceEquals(now, spooled);
                if (current)
                {
                    _spooled.Remove(spooled.Name);
                    _spooledBytes -= spooled.Length;
                    if (_packed.Remove(spooled.Name, out var older))
                    {
                        Tombstone(older);
                    }

                    _packed[spooled.Name] = new PackedObject(record, entry);
                    record.Live++;
                }
                else
                {
                    // Replaced or deleted while the video was made: what the video holds of it is dead already.
                    AppendTombstone(record, spooled.Name);
                }

                spooled.Sealing = false;
                spooled.PendingSeal = null;
                TryDelete(spooled.Path);
            }

            // Objects whose spool file a later put replaced before a crash: the next instance did not find them.
            foreach (var entry in index.Entries.Where(e => !members.Contains(e.Name)))
            {
                AppendTombstone(record, entry.Name);
            }

            if (record.Live == 0)
            {
                RemoveVideo(record);
            }
        }

        DeletePending(id);
        if (payload is not null)
        {
            lock (_verified)
            {
                _verified.Add(id);
            }

            if (record.Live > 0)
            {
                // The payload is exactly what decoding the video gives back: serve the next gets from it.
                _cache.Adopt(id, payload);
            }
        }

        _logger.LogInformation("Video store {Name}: sealed {Objects} objects ({Bytes} bytes) into video {Video}",
            Name, seal.Pack.Count, index.End, id);
    }

    // Gives the pack up: the store drops what it kept, the record goes, and the objects are free to be packed again.
    private void Abandon(PendingSeal seal)
    {
        _store.Remove(seal.Id);
        DeletePending(seal.Id);
        lock (_state)
        {
            _pendingSeals.Remove(seal.Id);
            foreach (var spooled in seal.Pack)
            {
                spooled.PendingSeal = null;
                spooled.Sealing = false;
                if (spooled.Dead)
                {
                    TryDelete(spooled.Path);
                }
            }
        }
    }

    // The spool list first: a pending index always has its list (a list alone is a record cut short).
    private void WritePending(PendingSeal seal)
    {
        var lines = string.Concat(seal.Pack.Select(s => Path.GetFileName(s.Path) + "\n"));
        AtomicFile.WriteAllBytes(Path.Combine(_pending, seal.Id + SpoolListExtension), Encoding.ASCII.GetBytes(lines));
        var bytes = new byte[seal.Index.EncodedLength];
        seal.Index.WriteTo(bytes);
        AtomicFile.WriteAllBytes(Path.Combine(_pending, seal.Id + IndexExtension), bytes);
    }

    private void DeletePending(string id)
    {
        File.Delete(Path.Combine(_pending, id + IndexExtension));
        File.Delete(Path.Combine(_pending, id + SpoolListExtension));
    }

    private void WriteIndexFile(string id, BlockPackIndex index)
    {
        var bytes = new byte[index.EncodedLength];
        index.WriteTo(bytes);
        AtomicFile.WriteAllBytes(Path.Combine(_videos, id + IndexExtension), bytes);
    }

    // Caller holds _state. The spooled file goes now, or after the seal that is reading it.
    private void Retire(SpoolFile spooled)
    {
        _spooledBytes -= spooled.Length;
        if (spooled.Sealing)
        {
            spooled.Dead = true;
        }
        else
        {
            TryDelete(spooled.Path);
        }
    }

    // Caller holds _state.
    private void Tombstone(PackedObject packed)
    {
        var video = packed.Video;
        video.Live--;
        if (video.Live <= 0)
        {
            RemoveVideo(video);
        }
        else
        {
            AppendTombstone(video, packed.Entry.Name);
        }
    }

    private void AppendTombstone(PackVideo video, string name)
    {
        var path = Path.Combine(_videos, video.Id + TombstoneExtension);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        Span<byte> line = stackalloc byte[ObjectNames.MaxLength + 1];
        var length = Encoding.ASCII.GetBytes(name, line);
        line[length] = (byte)'\n';
        stream.Write(line[..(length + 1)]);
    }

    // Caller holds _state. The video goes first: an index without its video is ignored at open, while a video
    // without its index would be re-indexed and its objects brought back.
    private void RemoveVideo(PackVideo video)
    {
        _store.Remove(video.Id);
        File.Delete(Path.Combine(_videos, video.Id + IndexExtension));
        File.Delete(Path.Combine(_videos, video.Id + TombstoneExtension));
        _videoById.Remove(video.Id);
        _cache.Remove(video.Id);
        _logger.LogInformation("Video store {Name}: removed video {Video}, all of whose objects were deleted", Name, video.Id);
    }

    private void LoadSpool()
    {
        long maxGeneration = 0;
        foreach (var file in Directory.EnumerateFiles(_spool))
        {
            var fileName = Path.GetFileName(file);
            var dot = fileName.IndexOf('.', StringComparison.Ordinal);
            if (fileName.EndsWith(TempSuffix, StringComparison.Ordinal)
                || dot < 0
                || !ObjectNames.IsValid(fileName.AsSpan(0, dot))
                || !long.TryParse(fileName.AsSpan(dot + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var generation))
            {
                // A put cut short, or not ours.
                TryDelete(file);
                continue;
            }

            var name = fileName[..dot];
            var length = new FileInfo(file).Length;
            maxGeneration = Math.Max(maxGeneration, generation);
            if (_spooled.TryGetValue(name, out var other))
            {
                // Two generations of one name: the later put wins.
                if (other.Generation > generation)
                {
                    TryDelete(file);
                    continue;
                }

                _spooledBytes -= other.Length;
                TryDelete(other.Path);
            }

            _spooled[name] = new SpoolFile(name, file, (int)length, generation);
            _spooledBytes += length;
        }

        _generation = maxGeneration;
    }

    private void LoadVideos()
    {
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        var videos = new HashSet<string>(_store.List(), StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_videos))
        {
            var fileName = Path.GetFileName(file);
            if (fileName.StartsWith('.'))
            {
                // An index write that was cut short.
                TryDelete(file);
                continue;
            }

            var stem = Path.GetFileNameWithoutExtension(fileName);
            if (VideoPackIds.IsId(stem) && Path.GetExtension(fileName) == IndexExtension)
            {
                indexed.Add(stem);
            }
        }

        // Newest index last: if a crash left one name live in two videos, the later seal wins.
        foreach (var id in indexed.OrderBy(i => File.GetLastWriteTimeUtc(Path.Combine(_videos, i + IndexExtension))))
        {
            if (!videos.Contains(id))
            {
                _logger.LogWarning("Video store {Name}: index {Id}{Extension} has no video; its objects are gone", Name, id, IndexExtension);
                continue;
            }

            var bytes = File.ReadAllBytes(Path.Combine(_videos, id + IndexExtension));
            if (BlockPack.TryReadIndex(bytes, out var index, out var error) != DecodeStatus.Done)
            {
                _logger.LogWarning("Video store {Name}: index of video {Id} is unreadable ({Error}); rebuilding it from the video", Name, id, error);
                _unindexed.Add(id);
                continue;
            }

            AddVideo(new PackVideo(id, index), ReadTombstones(id));
        }

        foreach (var id in videos)
        {
            if (!indexed.Contains(id))
            {
                _unindexed.Add(id);
            }
        }

        _unindexed.Sort(StringComparer.Ordinal);
    }

    // Packs a crash left between their encoding and their index: still to be stored (resumed at the next seal), or
    // stored already, their index and spool not yet brought up to date.
    private void LoadPending()
    {
        var byFileName = _spooled.Values.ToDictionary(s => Path.GetFileName(s.Path), StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(_pending))
        {
            var fileName = Path.GetFileName(file);
            var id = Path.GetFileNameWithoutExtension(fileName);
            var indexPath = Path.Combine(_pending, id + IndexExtension);
            if (fileName.StartsWith('.') || !VideoPackIds.IsId(id))
            {
                TryDelete(file);
                continue;
            }

            if (Path.GetExtension(fileName) != SpoolListExtension)
            {
                if (!File.Exists(Path.Combine(_pending, id + SpoolListExtension)))
                {
                    TryDelete(file);
                }

                continue;
            }

            if (!File.Exists(indexPath) || BlockPack.TryReadIndex(File.ReadAllBytes(indexPath), out var index, out _) != DecodeStatus.Done)
            {
                // Recorded only in part: the store was never asked, the objects are still just spooled.
                TryDelete(indexPath);
                TryDelete(file);
                continue;
            }

            var pack = File.ReadAllLines(file, Encoding.ASCII).Select(l => byFileName.GetValueOrDefault(l)).OfType<SpoolFile>().ToList();
            if (_videoById.ContainsKey(id))
            {
                // Stored and indexed; the crash came before the spool files went.
                foreach (var spooled in pack.Where(s => _spooled.TryGetValue(s.Name, out var now) && ReferenceEquals(now, s)))
                {
                    _spooled.Remove(spooled.Name);
                    _spooledBytes -= spooled.Length;
                    TryDelete(spooled.Path);
                }

                DeletePending(id);
                continue;
            }

            var seal = new PendingSeal(id, index, pack);
            foreach (var spooled in pack)
            {
                spooled.Sealing = true;
                spooled.PendingSeal = id;
            }

            _pendingSeals[id] = seal;
            if (_unindexed.Contains(id))
            {
                // Stored, but the crash came before its index was written: the pending record has it.
                Complete(seal, payload: null);
            }
        }
    }

    private HashSet<string> ReadTombstones(string id)
    {
        var path = Path.Combine(_videos, id + TombstoneExtension);
        var dead = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path, Encoding.ASCII))
            {
                // A torn last line is not a name: the deletion did not happen.
                if (ObjectNames.IsValid(line))
                {
                    dead.Add(line);
                }
            }
        }

        return dead;
    }

    // Caller holds _state, or is the constructor.
    private void AddVideo(PackVideo video, HashSet<string> dead)
    {
        foreach (var entry in video.Written.Entries)
        {
            if (dead.Contains(entry.Name))
            {
                continue;
            }

            if (_packed.Remove(entry.Name, out var older))
            {
                older.Video.Live--;
            }

            _packed[entry.Name] = new PackedObject(video, entry);
            video.Live++;
        }

        _videoById[video.Id] = video;
        foreach (var emptied in _videoById.Values.Where(v => v.Live == 0).ToList())
        {
            // Every object it held was deleted or packed again later.
            RemoveVideo(emptied);
        }
    }

    private async Task EnsureIndexedAsync(CancellationToken cancellationToken)
    {
        lock (_state)
        {
            if (_unindexed.Count == 0)
            {
                return;
            }
        }

        await _sealGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string[] pending;
            lock (_state)
            {
                pending = [.. _unindexed];
            }

            foreach (var id in pending)
            {
                await RebuildIndexAsync(id, cancellationToken).ConfigureAwait(false);
                lock (_state)
                {
                    _unindexed.Remove(id);
                }
            }
        }
        finally
        {
            _sealGate.Release();
        }
    }

    private async Task RebuildIndexAsync(string id, CancellationToken cancellationToken)
    {
        var placeholder = new PackVideo(id, BlockPackIndex.Create([]));
        try
        {
            var payload = await _cache.GetAsync(id, (output, token) => DecodeAsync(placeholder, output, token), _lifetime.Token, cancellationToken)
                .ConfigureAwait(false);
            BlockPackIndex index;
            using (var reader = BlockPackReader.Open(payload))
            {
                index = reader.Index;
            }

            WriteIndexFile(id, index);
            lock (_state)
            {
                var record = new PackVideo(id, index);
                // Objects spooled or packed since are newer than what this video holds of them.
                var dead = ReadTombstones(id);
                dead.UnionWith(index.Entries.Select(e => e.Name).Where(_packed.ContainsKey));
                AddVideo(record, dead);
            }

            lock (_verified)
            {
                _verified.Add(id);
            }

            _logger.LogWarning("Video store {Name}: rebuilt the lost index of video {Video} from its payload ({Objects} objects)",
                Name, id, index.Entries.Count);
        }
        catch (FileNotFoundException)
        {
            // Removed meanwhile: nothing to index.
        }
        catch (Exception e) when (e is VideoException or VideoToolException or ProtocolException
            || e is BackendException { Kind: BackendFailureKind.Permanent or BackendFailureKind.NotFound })
        {
            // Its objects stay unreadable from here; the caller's redundancy (or a scrub) must cover them.
            _logger.LogError(e, "Video store {Name}: video {Video} has no index and cannot be decoded to rebuild one", Name, id);
            _cache.Remove(id);
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
            VideoException video =>
                new BackendException(BackendFailureKind.Permanent, Name, $"{what}: video {video.Kind}: {video.Message}", exception),
            VideoToolException tool =>
                new BackendException(Classify(tool), Name, $"{what}: ffmpeg {tool.Kind}: {tool.Message}", exception),
            ProtocolException protocol =>
                new BackendException(BackendFailureKind.Permanent, Name, $"{what}: bad pack: {protocol.Error}", exception),
            IOException io =>
                new BackendException(Classify(io), Name, $"{what}: {io.Message}", exception),
            _ => exception,
        };
    }

    /// <summary>An object in the spool: its file, length and put generation (later wins).</summary>
    private sealed class SpoolFile(string name, string path, int length, long generation)
    {
        public string Name { get; } = name;

        public string Path { get; } = path;

        public int Length { get; } = length;

        public long Generation { get; } = generation;

        // Guarded by _state: being read into a pack, and replaced or deleted meanwhile (the seal removes the file).
        public bool Sealing { get; set; }

        // Guarded by _state: the pack (encoded, being stored) that holds it, until stored or given up.
        public string? PendingSeal { get; set; }

        public bool Dead { get; set; }
    }

    /// <summary>A video and the pack index it was written with; <see cref="Live"/> counts its objects not deleted (guarded by _state).</summary>
    private sealed class PackVideo(string id, BlockPackIndex written)
    {
        public string Id { get; } = id;

        public BlockPackIndex Written { get; } = written;

        public int Live { get; set; }
    }

    /// <summary>A pack encoded into video <see cref="Id"/> whose store has not completed: its index and spool files.</summary>
    private sealed record PendingSeal(string Id, BlockPackIndex Index, List<SpoolFile> Pack);

    /// <summary>Where a packed object lives.</summary>
    private sealed record PackedObject(PackVideo Video, BlockPackEntry Entry);
}

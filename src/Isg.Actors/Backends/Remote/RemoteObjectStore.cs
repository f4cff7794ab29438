using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Remote;

/// <summary>
/// The platform-independent half of a backend that stores objects as platform messages or files named by the
/// platform: names are checked, parts uploaded through an <see cref="IRemotePartStore"/>, and where each object lives
/// is kept in a <see cref="RemoteObjectIndex"/>. A put uploads the new parts, records them (durable), then deletes the
/// old parts, so readers see the old or the new object; a get that races a replacement and finds old parts gone reads
/// the index again, and after a few such races reads under the name's gate. Empty objects are recorded without
/// uploading anything. Puts and deletes of one name are serialised within the instance. Thread-safe.
/// </summary>
public sealed class RemoteObjectStore : IDisposable
{
    private const int LockStripes = 64;
    // Reads that may each lose a race with a replacement deleting the parts being read, before a read takes the
    // name's gate (which waits for puts and deletes of that name) and so cannot lose. A writer replacing one name back
    // to back outran 32 such rounds on a loaded machine.
    private const int OptimisticReads = 4;

    private readonly string _backend;
    private readonly IRemotePartStore _parts;
    private readonly ILogger _logger;
    private readonly RemoteObjectIndex _index;
    private readonly SemaphoreSlim[] _locks;

    /// <summary>Opens the index at <paramref name="indexPath"/> for backend <paramref name="backend"/> over <paramref name="parts"/>.</summary>
    public RemoteObjectStore(string backend, string indexPath, IRemotePartStore parts, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(logger);
        _backend = backend;
        _parts = parts;
        _logger = logger;
        _index = RemoteObjectIndex.Open(indexPath);
        _locks = new SemaphoreSlim[LockStripes];
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Objects recorded and their total bytes.</summary>
    public (long Objects, long Bytes) Usage() => _index.Usage();

    /// <summary>Stores <paramref name="data"/> as <paramref name="objectName"/> (see the class summary); durable when it returns.</summary>
    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        var gate = Gate(objectName);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<string> parts = data.IsEmpty ? [] : await _parts.UploadAsync(data, cancellationToken).ConfigureAwait(false);
            var old = _index.TryGet(objectName, out var previous) ? previous : null;
            try
            {
                _index.Put(new RemoteObject(objectName, parts, data.Length));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await ForgetPartsAsync(objectName, parts).ConfigureAwait(false);
                throw new BackendException(BackendFailureKind.Permanent, _backend, $"cannot record {objectName} in the index: {e.Message}", e);
            }

            if (old is { Parts.Count: > 0 })
            {
                await ForgetPartsAsync(objectName, old.Parts).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reads <paramref name="objectName"/> whole; NotFound when it is not recorded or the platform lost it.</summary>
    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        for (var round = 0; round < OptimisticReads; round++)
        {
            var entry = Recorded(objectName, cancellationToken);
            try
            {
                return await ReadAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound)
            {
                // A replacement may have deleted the parts we were reading: only an unchanged entry means they are lost.
                if (!_index.TryGet(objectName, out var now) || now.Parts.SequenceEqual(entry.Parts, StringComparer.Ordinal))
                {
                    throw Lost(objectName, e);
                }
            }
        }

        // Replaced again and again while being read: read under the name's gate, where no put or delete can change it.
        var gate = Gate(objectName);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadAsync(Recorded(objectName, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (BackendException e) when (e.Kind == BackendFailureKind.NotFound && _index.TryGet(objectName, out _))
        {
            // Recorded, and nothing replaced it meanwhile: its parts are lost.
            throw Lost(objectName, e);
        }
        finally
        {
            gate.Release();
        }
    }

    // The object's entry in the index now; NotFound when it has none.
    private RemoteObject Recorded(string objectName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _index.TryGet(objectName, out var entry)
            ? entry
            : throw new BackendException(BackendFailureKind.NotFound, _backend, $"no object {objectName}");
    }

    // Downloads the parts of entry into one buffer; the platform's NotFound when one of them is gone.
    private async Task<IMemoryOwner<byte>> ReadAsync(RemoteObject entry, CancellationToken cancellationToken)
    {
        if (entry.Length > Array.MaxLength)
        {
            throw new BackendException(BackendFailureKind.Permanent, _backend, $"{entry.Name} is {entry.Length} bytes, more than one buffer holds");
        }

        var buffer = PooledBuffer.Rent((int)entry.Length);
        try
        {
            var read = entry.Parts.Count == 0 ? 0 : await _parts.DownloadAsync(entry.Parts, buffer.Memory, cancellationToken).ConfigureAwait(false);
            if (read != entry.Length)
            {
                throw new BackendException(BackendFailureKind.Permanent, _backend, $"{entry.Name}: the platform returned {read} bytes, {entry.Length} were stored");
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private BackendException Lost(string objectName, BackendException gone) =>
        new(BackendFailureKind.NotFound, _backend, $"{objectName} is recorded but its parts are gone from the platform", gone);

    /// <summary>Whether <paramref name="objectName"/> is recorded.</summary>
    public bool Exists(string objectName)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        return _index.TryGet(objectName, out _);
    }

    /// <summary>Deletes the object's parts, then forgets it. Idempotent.</summary>
    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        ObjectNames.ThrowIfInvalid(objectName);
        cancellationToken.ThrowIfCancellationRequested();
        var gate = Gate(objectName);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_index.TryGet(objectName, out var entry))
            {
                return;
            }

            if (entry.Parts.Count > 0)
            {
                await _parts.DeleteAsync(entry.Parts, cancellationToken).ConfigureAwait(false);
            }

            _index.Remove(objectName);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The recorded names (a snapshot of the index).</summary>
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var entry in _index.All())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry.Name;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _index.Dispose();
        foreach (var gate in _locks)
        {
            gate.Dispose();
        }
    }

    private SemaphoreSlim Gate(string objectName) =>
        _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(objectName) % LockStripes)];

    // Parts no entry points to any more: deleting them only frees platform space, so a failure is logged, not thrown.
    private async Task ForgetPartsAsync(string objectName, IReadOnlyList<string> parts)
    {
        try
        {
            await _parts.DeleteAsync(parts, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BackendException or HttpRequestException or IOException or OperationCanceledException)
        {
            _logger.LogWarning(e, "{Backend}: could not delete {Parts} stale parts of {Object}; they stay on the platform", _backend, parts.Count, objectName);
        }
    }
}

using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Remote;

/// <summary>
/// The <see cref="IStorageBackend"/> surface of a platform whose objects are parts the platform names (chat messages,
/// documents): everything goes through a <see cref="RemoteObjectStore"/> over the platform's
/// <see cref="IRemotePartStore"/>, so listing and existence come from the index. A derived class only builds its client
/// and part store. Thread-safe.
/// </summary>
public abstract class RemoteObjectBackend : IStorageBackend, IDisposable
{
    private readonly IDisposable _client;
    private readonly RemoteObjectStore _store;

    /// <summary>Opens the index at <paramref name="indexPath"/> over <paramref name="parts"/>; disposing the backend disposes <paramref name="client"/>.</summary>
    protected RemoteObjectBackend(string name, string indexPath, IRemotePartStore parts, IDisposable client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        Name = name;
        _client = client;
        _store = new RemoteObjectStore(name, indexPath, parts, logger);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <remarks>Objects of any size a buffer holds (split into parts); listing from the index; no quota.</remarks>
    public BackendCapabilities Capabilities { get; } = new(Array.MaxLength, AcceptsOnlyVideo: false, IsLocal: false) { SupportsList = false };

    /// <inheritdoc/>
    public Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _store.PutAsync(objectName, data, cancellationToken);

    /// <inheritdoc/>
    public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken) =>
        _store.GetAsync(objectName, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>From the index: no request.</remarks>
    public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled<bool>(cancellationToken) : Task.FromResult(_store.Exists(objectName));

    /// <inheritdoc/>
    public Task DeleteAsync(string objectName, CancellationToken cancellationToken) =>
        _store.DeleteAsync(objectName, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) => _store.ListAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>A put is durable when it returns (parts posted, index committed): nothing to do.</remarks>
    public Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc/>
    public BackendFailureKind Classify(Exception exception) => RemoteFailures.Classify(exception);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the index and the client.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _store.Dispose();
            _client.Dispose();
        }
    }
}

using System.Buffers;

namespace Isg.Actors.Backends;

/// <summary>
/// A place that stores opaque objects by name (sealed blocks, named by HMAC hex). Every call is cancellable and
/// thread-safe; failures are <see cref="BackendException"/>s or exceptions that <see cref="Classify"/> maps.
/// Retries, rate limits and metrics are decorators around a backend, never inside one.
/// </summary>
public interface IStorageBackend
{
    /// <summary>The configured name, used in logs, errors and the catalogue's chunk locations.</summary>
    string Name { get; }

    /// <summary>What this backend accepts.</summary>
    BackendCapabilities Capabilities { get; }

    /// <summary>
    /// Stores <paramref name="data"/> as <paramref name="objectName"/>. Idempotent: putting a name again replaces
    /// the object atomically (readers see the old or the new object, never a mix). Durable only after
    /// <see cref="FlushAsync"/>.
    /// </summary>
    Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a whole object. The owner's Memory is exactly the object; dispose it to return the buffer. Throws
    /// <see cref="BackendException"/> with <see cref="BackendFailureKind.NotFound"/> when absent. The bytes are
    /// returned as stored: verifying them is the caller's job.
    /// </summary>
    Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>Whether the object exists.</summary>
    Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>Deletes the object. Idempotent: deleting a missing object succeeds.</summary>
    Task DeleteAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>Streams the names of all stored objects, in no particular order.</summary>
    IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Durability barrier: when it returns, every Put that completed before the call is durable. If it throws,
    /// those Puts must be done again (flushing again is not enough).
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>How to handle <paramref name="exception"/>, thrown by this backend.</summary>
    BackendFailureKind Classify(Exception exception);
}

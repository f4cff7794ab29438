namespace Isg.Actors.Backends.Remote;

/// <summary>
/// The platform half of a <see cref="RemoteObjectStore"/>: uploads an object as one or more parts (split to fit the
/// platform's limits), reads them back in order and deletes them. Part strings are the platform's ids, opaque to the
/// store. Implementations throw <see cref="BackendException"/> (NotFound when a part is gone) and are thread-safe.
/// </summary>
public interface IRemotePartStore
{
    /// <summary>Uploads non-empty <paramref name="data"/>; returns the ids of its parts in order. All or nothing: parts of a failed upload are removed (best effort).</summary>
    Task<IReadOnlyList<string>> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="parts"/> in order into <paramref name="destination"/>; returns the bytes written (more than fit is an error).</summary>
    Task<int> DownloadAsync(IReadOnlyList<string> parts, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="parts"/>. Idempotent: a part already gone is not an error.</summary>
    Task DeleteAsync(IReadOnlyList<string> parts, CancellationToken cancellationToken);
}

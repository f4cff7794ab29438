namespace Isg.Actors.Backends.Secrets;

/// <summary>
/// Where a backend persists credentials it rotates itself (a refreshed OAuth token). Thread-safe; the values are
/// sealed in the catalogue and reach the backend's <see cref="Catalog.BackendRecord.Secrets"/> the next time the
/// repository is opened.
/// </summary>
public interface IBackendSecretStore
{
    /// <summary>
    /// Merges <paramref name="changes"/> into the stored credentials of <paramref name="backend"/> (keys not named
    /// keep their values), durably when the task completes. Throws <see cref="ArgumentException"/> for an unknown backend.
    /// </summary>
    Task SaveAsync(string backend, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken);
}

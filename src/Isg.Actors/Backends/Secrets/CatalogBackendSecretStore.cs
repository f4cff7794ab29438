using Isg.Actors.Catalog;
using Isg.Protocol.Keys;

namespace Isg.Actors.Backends.Secrets;

/// <summary>
/// The catalogue's <see cref="IBackendSecretStore"/>: reads, merges and reseals a backend's credentials in one
/// transaction on a short-lived writer (rotations are rare). Thread-safe.
/// </summary>
public sealed class CatalogBackendSecretStore(CatalogDatabase catalog, RepositoryKey key) : IBackendSecretStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public async Task SaveAsync(string backend, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentNullException.ThrowIfNull(changes);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var writer = catalog.CreateWriter();
            var found = writer.UpdateBackendSecrets(backend, box =>
            {
                var merged = new Dictionary<string, string>(BackendSecrets.Open(key, backend, box), StringComparer.Ordinal);
                foreach (var (name, value) in changes)
                {
                    merged[name] = value;
                }

                return BackendSecrets.Seal(key, backend, merged);
            });
            if (!found)
            {
                throw new ArgumentException($"no backend named '{backend}'", nameof(backend));
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}

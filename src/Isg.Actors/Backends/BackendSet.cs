using Isg.Actors.Backends.Secrets;
using Isg.Actors.Catalog;
using Isg.Protocol.Keys;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends;

/// <summary>
/// A repository's configured backends, opened from the catalogue's backends table, in a stable order (by name,
/// ordinal). Thread-safe for reads; disposing it disposes the backends it opened.
/// </summary>
public sealed class BackendSet : IDisposable
{
    /// <summary>The name of the built-in backend (the repository's own blocks folder).</summary>
    public const string PrimaryName = "local";

    private readonly Dictionary<string, IStorageBackend> _byName;
    private readonly bool _owns;

    /// <summary>A set over already opened <paramref name="backends"/> (names unique); the caller keeps ownership of them.</summary>
    public BackendSet(IEnumerable<IStorageBackend> backends)
        : this(backends, owns: false)
    {
    }

    private BackendSet(IEnumerable<IStorageBackend> backends, bool owns)
    {
        ArgumentNullException.ThrowIfNull(backends);
        All = backends.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();
        if (All.Count == 0)
        {
            throw new ArgumentException("a backend set needs at least one backend", nameof(backends));
        }

        _byName = new Dictionary<string, IStorageBackend>(StringComparer.Ordinal);
        foreach (var backend in All)
        {
            if (!_byName.TryAdd(backend.Name, backend))
            {
                throw new ArgumentException($"two backends are named '{backend.Name}'", nameof(backends));
            }
        }

        Primary = _byName.GetValueOrDefault(PrimaryName) ?? All[0];
        _owns = owns;
    }

    /// <summary>Every backend, ordered by name (the order <see cref="Striping.ShardPlacement"/> counts in).</summary>
    public IReadOnlyList<IStorageBackend> All { get; }

    /// <summary>The built-in "local" backend when configured, else the first by name.</summary>
    public IStorageBackend Primary { get; }

    /// <summary>
    /// Opens every backend recorded in <paramref name="catalog"/> through <see cref="BackendFactory"/>, its credentials
    /// opened with <paramref name="key"/> and remote ones behind their persistent upload queues; relative paths resolve
    /// against <paramref name="repositoryRoot"/>. Each opened backend is passed through <paramref name="decorate"/> when
    /// given (fault injection in tests). The set owns (and disposes) them.
    /// </summary>
    public static BackendSet Open(
        CatalogDatabase catalog, string repositoryRoot, ILoggerFactory loggerFactory, RepositoryKey key,
        Func<IStorageBackend, IStorageBackend>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(key);
        IReadOnlyList<BackendRecord> records;
        using (var reader = catalog.CreateReader())
        {
            records = BackendSecretsReader.ListBackends(reader, key);
        }

        var services = new BackendServices(catalog, new CatalogBackendSecretStore(catalog, key), TimeProvider.System);
        var opened = new List<IStorageBackend>(records.Count);
        try
        {
            foreach (var record in records)
            {
                var backend = BackendFactory.Open(record, repositoryRoot, loggerFactory, services);
                opened.Add(decorate is null ? backend : decorate(backend));
            }

            return new BackendSet(opened, owns: true);
        }
        catch
        {
            foreach (var backend in opened)
            {
                (backend as IDisposable)?.Dispose();
            }

            throw;
        }
    }

    /// <summary>The backend named <paramref name="name"/>; throws <see cref="BackendException"/> (Permanent) when none is configured.</summary>
    public IStorageBackend Get(string name) =>
        TryGet(name, out var backend)
            ? backend
            : throw new BackendException(BackendFailureKind.Permanent, name, $"no backend named '{name}' is configured", null);

    /// <summary>The backend named <paramref name="name"/>, if configured.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IStorageBackend? backend) =>
        _byName.TryGetValue(name, out backend);

    /// <summary>Flushes every backend concurrently; throws the first failure after all have finished.</summary>
    public Task FlushAllAsync(CancellationToken cancellationToken) =>
        All.Count == 1
            ? All[0].FlushAsync(cancellationToken)
            : Task.WhenAll(All.Select(b => b.FlushAsync(cancellationToken)));

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_owns)
        {
            return;
        }

        foreach (var backend in All)
        {
            (backend as IDisposable)?.Dispose();
        }
    }
}

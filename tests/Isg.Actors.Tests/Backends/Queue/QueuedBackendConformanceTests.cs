using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Queue;

/// <summary>The queue in front of a local store meets the backend contract (reads served from the spool before upload).</summary>
public sealed class QueuedBackendConformanceTests : BackendConformanceTests, IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly CatalogDatabase _catalog;

    public QueuedBackendConformanceTests() => _catalog = CatalogDatabase.Open(_root.Combine("repo"));

    public void Dispose()
    {
        _catalog.Dispose();
        _root.Dispose();
    }

    protected override Task<IStorageBackend> CreateBackendAsync() =>
        Task.FromResult<IStorageBackend>(new QueuedBackend(
            new LocalBlockStore(new LocalBlockStoreOptions(_root.Combine("platform")) { Name = "remote" }), _catalog, _root.Combine("spool"),
            TimeProvider.System, NullLogger.Instance));
}

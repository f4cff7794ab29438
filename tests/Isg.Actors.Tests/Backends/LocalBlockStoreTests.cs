using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;

namespace Isg.Actors.Tests.Backends;

public sealed class LocalBlockStoreTests : BackendConformanceTests, IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    protected override Task<IStorageBackend> CreateBackendAsync() =>
        Task.FromResult<IStorageBackend>(new LocalBlockStore(new LocalBlockStoreOptions(_root.Path)));
}

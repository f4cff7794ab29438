using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Backends.Resilience;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Backends.Resilience;

/// <summary>The backend contract through the whole decorator stack (metrics, breaker, retry, rate limit) over a local store.</summary>
public sealed class BackendStackConformanceTests : BackendConformanceTests, IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    protected override Task<IStorageBackend> CreateBackendAsync() =>
        Task.FromResult<IStorageBackend>(BackendStack.Wrap(
            new LocalBlockStore(new LocalBlockStoreOptions(_root.Path)),
            BackendStackOptions.Default with { RateLimit = new RateLimitOptions { CallsPerSecond = 1_000_000, BytesPerSecond = 1L << 40 } },
            TimeProvider.System,
            NullLogger.Instance));
}

using Isg.Actors.Backends;
using Isg.Actors.GarbageCollection;
using Isg.Actors.Repositories;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Hosting;

/// <summary>The node's garbage collection.</summary>
public sealed partial class StorageNode
{
    /// <summary>
    /// Garbage collection: deletes, on every backend, the blocks no file or snapshot references and the objects the
    /// catalogue does not know; mark without the lock, sweep under the exclusive lock (see <see cref="GarbageCollector"/>).
    /// Throws the Busy <see cref="RepositoryException"/> when adds outlast <see cref="GcOptions.Wait"/>.
    /// </summary>
    public Task<GcReport> CollectGarbageAsync(GcOptions options, IProgress<GcPhase>? progress, CancellationToken cancellationToken) =>
        CollectGarbageAsync(options, Repository.Backends.All, progress, cancellationToken);

    /// <summary>As the public overload, over <paramref name="backends"/> (tests wrap them to inject faults).</summary>
    internal async Task<GcReport> CollectGarbageAsync(GcOptions options, IReadOnlyList<IStorageBackend> backends,
        IProgress<GcPhase>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Policy is null)
        {
            // Undersized means small next to the stripes adds make now.
            var redundancy = Repository.Settings.Redundancy;
            options = options with
            {
                Policy = redundancy.IsNone
                    ? new GcPolicy()
                    : new GcPolicy(PolicyDataShards: redundancy.DataShards, PolicyParityShards: redundancy.ParityShards),
            };
        }

        var workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        var collector = new GarbageCollector(Repository, backends, workers.Catalog, System.LoggerFactory.CreateLogger<GarbageCollector>(), System.TimeProvider);
        return await collector.CollectAsync(options, progress, cancellationToken).ConfigureAwait(false);
    }
}

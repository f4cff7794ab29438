using System.Runtime.ExceptionServices;
using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Healing;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Hosting;

/// <summary>
/// A running node on one repository: the actor system with its tree (/node, /node/catalog, /node/encoders,
/// jobs), and the operations the CLI and HTTP API call. Disposing stops the tree (children first) and closes
/// the repository.
/// </summary>
public sealed partial class StorageNode : IAsyncDisposable
{
    private static readonly TimeSpan s_askTimeout = TimeSpan.FromMinutes(5);
    private readonly IActorRef<INodeCommand> _root;

    private readonly StorageNodeOptions _options;

    private StorageNode(Repository repository, ActorSystem system, IActorRef<INodeCommand> root, StorageNodeOptions options, HealthEventLog healthEvents)
    {
        Repository = repository;
        HealthEvents = healthEvents;
        System = system;
        _root = root;
        _options = options;
    }

    /// <summary>The repository the node serves.</summary>
    public Repository Repository { get; }

    /// <summary>The healer's recent events (findings, repairs, passes).</summary>
    public HealthEventLog HealthEvents { get; }

    /// <summary>The actor system (for health: dead letters, actors).</summary>
    public ActorSystem System { get; }

    /// <summary>Starts the node's actor tree on <paramref name="repository"/>, which the node then owns.</summary>
    public static StorageNode Start(Repository repository, ILoggerFactory loggerFactory, StorageNodeOptions options) =>
        Start(repository, loggerFactory, options, TimeProvider.System);

    /// <summary>Starts the node with its actors on <paramref name="timeProvider"/> (manual in tests).</summary>
    public static StorageNode Start(Repository repository, ILoggerFactory loggerFactory, StorageNodeOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var system = new ActorSystem("isg", new ActorSystemOptions { LoggerFactory = loggerFactory, TimeProvider = timeProvider });
        var events = new HealthEventLog(loggerFactory.CreateLogger("Isg.Actors.Healing.Health"), timeProvider);
        var root = system.Spawn<INodeCommand>("node", () => new NodeActor(repository, options, events));
        return new StorageNode(repository, system, root, options, events);
    }

    /// <summary>
    /// Adds files and directories. Returns once every file counted as added is committed; throws the failure
    /// that stopped the add early (cancellation, a full disk) after committing what was complete.
    /// </summary>
    public async Task<IngestReport> AddAsync(IReadOnlyList<IngestSource> sources, IngestOptions options,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        using var repositoryLock = RepositoryLock.ForAdding(Repository.Layout);
        var outcome = await _root.AskAsync<INodeCommand, TransferOutcome<IngestReport>>(
            r => new StartIngest(sources, options, progress, cancellationToken, r), Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
        return Unwrap(outcome);
    }

    /// <summary>Restores a file or directory; every block is verified. Throws when nothing matches the path.</summary>
    public async Task<RestoreReport> RestoreAsync(RestoreRequest request, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.OutputPath);
        var outcome = await _root.AskAsync<INodeCommand, TransferOutcome<RestoreReport>>(
            r => new StartRestore(request, progress, cancellationToken, r), Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
        return Unwrap(outcome);
    }

    /// <summary>Removes a path (recursively when asked) from the catalogue; the blocks it released stay stored for <see cref="CollectGarbageAsync(GarbageCollection.GcOptions, IProgress{GarbageCollection.GcPhase}?, CancellationToken)"/>.</summary>
    public async Task<RemoveReport> RemoveAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        using var repositoryLock = RepositoryLock.ForRemoving(Repository.Layout);
        var workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        var removed = await workers.Catalog.AskAsync<ICatalogCommand, PathRemoved>(
            r => new RemovePath(path, recursive, r), s_askTimeout, cancellationToken).ConfigureAwait(false);
        if (removed.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(removed.Failure);
        }

        return new RemoveReport(removed.Entries, removed.BlocksReleased, removed.BytesReclaimable);
    }

    /// <summary>
    /// Checks the catalogue's consistency and that every referenced block is in the store; with
    /// <paramref name="readData"/>, also reads, decrypts and hashes every block that is present (a few at a time).
    /// </summary>
    public async Task<CheckReport> CheckAsync(bool readData, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var problems = Repository.Catalog.IntegrityCheck().Select(p => $"{p.Kind}: {p.Message}").ToList();
        var present = new HashSet<(string Backend, string Name)>();
        foreach (var backend in Repository.Backends.All)
        {
            await foreach (var name in backend.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                present.Add((backend.Name, name));
            }
        }

        var blocks = new Dictionary<Isg.Protocol.Hashing.BlockId, string>();
        var readable = new HashSet<Isg.Protocol.Hashing.BlockId>();
        var files = 0;
        using (var reader = Repository.Catalog.CreateReader())
        using (var blockReader = Repository.Catalog.CreateReader())
        {
            foreach (var entry in reader.ListFiles(string.Empty))
            {
                files++;
                foreach (var block in blockReader.GetFileBlocks(entry.Id))
                {
                    if (blocks.TryAdd(block.Id, entry.Path))
                    {
                        var locations = blockReader.GetBlockLocations(block.Id);
                        if (!locations.Any(l => present.Contains((l.Backend, l.ObjectName))))
                        {
                            problems.Add($"MissingBlock: block {block.Id} of {entry.Path} is not in the {string.Join(", ", locations.Select(l => l.Backend))} store"
                                + (blockReader.GetBlockStripe(block.Id) is { } stripe ? $" (stripe {stripe.StripeId} may rebuild it)" : string.Empty));
                        }
                        else
                        {
                            readable.Add(block.Id);
                        }
                    }
                }
            }
        }

        var checkedBlocks = 0;
        if (readData)
        {
            var workers = await GetWorkersAsync(cancellationToken).ConfigureAwait(false);

            // Missing blocks are reported above already; reading them would only report them again as corrupt.
            var toRead = blocks.Where(pair => readable.Contains(pair.Key)).ToList();
            var corrupt = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var total = toRead.Count;

            // A few asks per worker keep the pool busy; one ask per block at once would hold a task per block.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4 * _options.EffectiveWorkers, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(toRead, parallel, async (pair, token) =>
            {
                var decoded = await workers.Encoders.AskAsync<IEncoderCommand, BlockDecoded>(
                    r => new DecodeBlock(0, pair.Key, r), s_askTimeout, token).ConfigureAwait(false);
                decoded.Plaintext?.Dispose();
                var done = Interlocked.Increment(ref checkedBlocks);
                progress?.Report(new TransferProgress(TransferEvent.Bytes, pair.Value, done, total, 0, files));
                if (decoded.Failure is not null)
                {
                    corrupt.Enqueue($"CorruptBlock: {pair.Value}: {decoded.Failure.Message}");
                }
            }).ConfigureAwait(false);
            problems.AddRange(corrupt.Order(StringComparer.Ordinal));
        }

        return new CheckReport(files, readData ? checkedBlocks : blocks.Count, problems);
    }

    /// <summary>
    /// Runs a scrub pass on the healer (after any pass in progress) and returns its report: every shard, or the
    /// shards of the files under <see cref="ScrubRequest.PathPrefix"/>; with repair, bad shards are rewritten.
    /// Throws <see cref="CatalogPathNotFoundException"/> when nothing is under the path.
    /// </summary>
    public async Task<ScrubReport> ScrubAsync(ScrubRequest request, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var healer = await _root.AskAsync<INodeCommand, IActorRef<IHealerCommand>>(r => new GetHealer(r), s_askTimeout, cancellationToken)
            .ConfigureAwait(false);
        var outcome = await healer.AskAsync<IHealerCommand, ScrubOutcome>(r => new RunScrub(request, progress, cancellationToken, r),
            Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
        if (outcome.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(outcome.Failure);
        }

        return outcome.Report!;
    }

    /// <summary>The repository's health from the catalogue and the recorded findings (reads no data).</summary>
    public HealthSummary GetHealth() => HealthSummary.Read(Repository.Catalog);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await System.ShutdownAsync().ConfigureAwait(false);
        Repository.Dispose();
    }

    private Task<NodeWorkers> GetWorkersAsync(CancellationToken cancellationToken) =>
        _root.AskAsync<INodeCommand, NodeWorkers>(r => new GetWorkers(r), s_askTimeout, cancellationToken);

    private static TReport Unwrap<TReport>(TransferOutcome<TReport> outcome)
    {
        if (outcome.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(outcome.Failure);
        }

        return outcome.Report;
    }
}

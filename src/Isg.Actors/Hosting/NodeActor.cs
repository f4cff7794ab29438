using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Healing;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Actors.Runtime;

namespace Isg.Actors.Hosting;

/// <summary>
/// The root of the node's tree (/node): owns the catalogue writer (/node/catalog), the encoder pool
/// (/node/encoders, one worker per core) and the uploaders of queued remote backends (/node/backends/NAME), and starts each add or get as a child job (/node/ingest-N,
/// /node/restore-N). Long-lived children restart with backoff; jobs are never restarted (a job that fails
/// replies with its failure from its stop hook).
/// </summary>
public sealed class NodeActor(Repository repository, StorageNodeOptions options, HealthEventLog healthEvents) : Actor<INodeCommand>
{
    // A healer that keeps failing (a damaged catalogue, a bug) backs off up to minutes between attempts instead of
    // spinning; it is never given up on for long, since a stopped healer would leave damage unrepaired.
    private static readonly SupervisorStrategy s_healerStrategy = new()
    {
        MinBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromMinutes(5),
        MaxRetries = 20,
        Window = TimeSpan.FromHours(1),
    };

    private const int EncoderMailbox = 4;
    private IActorRef<ICatalogCommand>? _catalog;
    private IActorRef<IEncoderCommand>? _encoders;
    private IActorRef<IHealerCommand>? _healer;
    private long _jobs;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _catalog = Context.Spawn<ICatalogCommand>("catalog", () => new CatalogActor(repository.Catalog));
        Context.Spawn<IUploaderCommand>("backends", () => new BackendsActor(repository.Backends), MailboxOptions.Unbounded);
        var catalog = _catalog;
        _healer = Context.Spawn<IHealerCommand>("healer", () => new HealerActor(repository, repository.Backends, catalog, healthEvents, options.Healer ?? new HealerOptions()),
            MailboxOptions.Unbounded, s_healerStrategy);

        // Reads that had to rebuild a block tell the healer, so the damaged shard is repaired soon.
        var healer = _healer;
        _encoders = Context.SpawnPool<IEncoderCommand>("encoders", () => new EncoderActor(repository, healer),
            options.EffectiveWorkers, RoutingStrategy.LeastBusy, new MailboxOptions { Capacity = EncoderMailbox });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(INodeCommand message, CancellationToken cancellationToken)
    {
        var catalog = _catalog ?? throw new InvalidOperationException("node not started");
        var encoders = _encoders!;
        switch (message)
        {
            case StartIngest ingest:
                var ingestJob = new IngestJob(repository, ingest.Sources, ingest.Options, catalog, encoders, repository.Backends,
                    InFlightChunks(repository.Settings.ChunkerOptions.MaxSize), ingest.Progress, ingest.ReplyTo, ingest.CancellationToken);
                Context.Spawn<IIngestJobCommand>($"ingest-{++_jobs}", () => new IngestJobActor(ingestJob),
                    MailboxOptions.Unbounded, SupervisorStrategy.Stopping);
                break;
            case StartRestore restore:
                var restoreJob = new RestoreJob(repository, restore.Request, encoders,
                    InFlightChunks(repository.Settings.ChunkerOptions.MaxSize), restore.Progress, restore.ReplyTo, restore.CancellationToken);
                Context.Spawn<IRestoreJobCommand>($"restore-{++_jobs}", () => new RestoreJobActor(restoreJob),
                    MailboxOptions.Unbounded, SupervisorStrategy.Stopping);
                break;
            case GetHealer getHealer:
                getHealer.ReplyTo.Reply(_healer!);
                break;
            case GetWorkers get:
                get.ReplyTo.Reply(new NodeWorkers(catalog, encoders));
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }

    // Chunks between reader and store: enough to keep every worker busy, few enough to bound memory.
    private int InFlightChunks(int maxChunkSize) =>
        (int)Math.Max(4L * options.EffectiveWorkers, options.InFlightBytes / Math.Max(1, maxChunkSize));
}

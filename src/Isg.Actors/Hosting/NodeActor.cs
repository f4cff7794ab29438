using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Isg.Actors.Discovery;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;
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
    private NodeNetwork? _network;

    /// <inheritdoc />
    protected override async ValueTask PreStartAsync(CancellationToken cancellationToken)
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
        if (options.Network is { } network)
        {
            _network = await StartNetworkAsync(network, cancellationToken).ConfigureAwait(false);
        }
    }

    // /node/sync, /node/swarm, /node/peers and /node/discovery: peers' frames are routed to the sync responder and the
    // block server, connections to the sync and swarm actors, and discovered addresses to the peers actor. Each restarts
    // on its own with backoff, so what one must know of the others outlives its instances: peer events go through a hub
    // that the sync and swarm actors subscribe to from their start (a restarted one hears of every connected peer again),
    // discovered addresses through a bridge that replays them to a restarted peers actor, and the peers actor listens on
    // the port its first instance bound (a port 0 is chosen once, so discovery and other nodes keep finding it).
    private async Task<NodeNetwork> StartNetworkAsync(NodeNetworkOptions network, CancellationToken cancellationToken)
    {
        var catalog = _catalog!;
        var identity = repository.LoadIdentity();
        var events = new PeerEventHub();
        var syncOptions = network.Sync with { Members = () => TrustedPeers(), PeerEvents = events };
        var sync = Context.Spawn<ISyncCommand>("sync", () => new SyncActor(repository.Catalog, catalog, syncOptions), MailboxOptions.Unbounded);
        var swarmOptions = network.Swarm with { PeerEvents = events };
        var swarm = Context.Spawn<ISwarmCommand>("swarm", () => new SwarmActor(repository, catalog, swarmOptions), MailboxOptions.Unbounded);
        var router = new PeerInboundRouter();
        var blocks = new BlockServer(repository, Context.Logger);
        var handler = new NodePeerHandler(new CatalogSyncResponder(repository.Catalog), blocks, sync);
        router.Register(handler, NodePeerHandler.Requests);
        router.Register(handler, NodePeerHandler.Messages);
        var discovered = new DiscoveryBridge();
        var peersOptions = network.Peers;
        var peers = Context.Spawn<IPeersCommand>("peers",
            () => new PeersActor(identity, repository.Key, repository.Catalog, router, Volatile.Read(ref peersOptions), events, discovered.Replay),
            MailboxOptions.Unbounded);
        discovered.Attach(peers);

        var status = await peers.AskAsync<IPeersCommand, PeersStatus>(r => new GetPeersStatus(r), TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);
        if (status.ListenEndPoint is { } bound)
        {
            Volatile.Write(ref peersOptions, peersOptions with { ListenEndPoint = bound });
        }

        var discovery = new DiscoveryOptions
        {
            LocalDevice = identity.DeviceId,
            PeerPort = status.ListenEndPoint?.Port ?? PeersOptions.DefaultPort,
            EnableMdns = network.Mdns,
            Announce = network.Mdns && status.ListenEndPoint is not null,
            StaticPeers = network.StaticPeers,
            DnsName = network.DnsName,
        };
        var discoveryActor = Context.Spawn<IDiscoveryCommand>("discovery", () => new DiscoveryActor(discovery, discovered), MailboxOptions.Unbounded);
        return new NodeNetwork(identity.DeviceId, peers, sync, swarm) { Discovery = discoveryActor };
    }

    private IReadOnlyCollection<Isg.Protocol.Peers.DeviceId> TrustedPeers()
    {
        using var reader = repository.Catalog.CreateReader();
        return [.. reader.ListPeers().Select(p => p.Device)];
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
                    InFlightChunks(repository.Settings.ChunkerOptions.MaxSize), restore.Progress, restore.ReplyTo, restore.CancellationToken)
                {
                    FetchFromPeers = _network is { } network ? (ids, token) => FetchFromPeersAsync(network.Swarm, ids, token) : null,
                };
                Context.Spawn<IRestoreJobCommand>($"restore-{++_jobs}", () => new RestoreJobActor(restoreJob),
                    MailboxOptions.Unbounded, SupervisorStrategy.Stopping);
                break;
            case GetHealer getHealer:
                getHealer.ReplyTo.Reply(_healer!);
                break;
            case GetNetwork getNetwork:
                getNetwork.ReplyTo.Reply(_network);
                break;
            case GetWorkers get:
                get.ReplyTo.Reply(new NodeWorkers(catalog, encoders));
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }

    private static Task FetchFromPeersAsync(IActorRef<ISwarmCommand> swarm, IReadOnlyList<Isg.Protocol.Hashing.BlockId> ids, CancellationToken cancellationToken) =>
        swarm.AskAsync<ISwarmCommand, BlocksFetched>(r => new FetchBlocks(ids, r), Timeout.InfiniteTimeSpan, cancellationToken);

    // Chunks between reader and store: enough to keep every worker busy, few enough to bound memory.
    private int InFlightChunks(int maxChunkSize) =>
        (int)Math.Max(4L * options.EffectiveWorkers, options.InFlightBytes / Math.Max(1, maxChunkSize));
}

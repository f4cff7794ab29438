using System.Net;
using Isg.Actors.Backends.Queue;
using Isg.Actors.Catalog;
using Isg.Actors.Discovery;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;
using Isg.Actors.Encoders;
using Isg.Actors.Healing;
using Isg.Actors.Ingest;
using Isg.Actors.Repositories;
using Isg.Actors.Restore;
using Isg.Actors.Runtime;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// How /node supervises its network children (/node/sync, /node/swarm, /node/peers, /node/discovery): restart on
    /// any failure after a backoff doubling from 100 ms up to a minute (with 20 % jitter); 20 restarts are allowed
    /// within 10 minutes, which a child failing at every start never reaches once its backoff is long, so the node
    /// keeps trying (a port taken for a while, a peer that trips a bug) without spinning.
    /// </summary>
    public static SupervisorStrategy NetworkStrategy { get; } = new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromMinutes(1),
        MaxRetries = 20,
        Window = TimeSpan.FromMinutes(10),
    };

    // How long the node waits for the peers actor's first start (its listening port) before it goes on without it.
    private static readonly TimeSpan s_peersStartTimeout = TimeSpan.FromSeconds(30);

    private const int EncoderMailbox = 4;
    private IActorRef<ICatalogCommand>? _catalog;
    private IActorRef<IEncoderCommand>? _encoders;
    private IActorRef<IHealerCommand>? _healer;
    private long _jobs;
    private NodeNetwork? _network;
    private PeersOptions? _peersOptions;
    private Action<IPEndPoint?>? _startDiscovery;
    private ScheduledTell? _peersOverdue;
    private readonly List<IReplyTo<NodeNetwork?>> _networkWaiters = [];

    // Where the encoders report blocks they store (set once the network starts; read from the encoders' threads).
    private IActorRef<ISwarmCommand>? _announceTo;

    // Where the catalogue actor reports its writes (set once the network starts; read from the catalogue's thread).
    private IActorRef<ISyncCommand>? _writesTo;

    // Made by this instance for its network children; released after them (children stop before PostStop).
    private NodeIdentity? _identity;
    private BlockServer? _blockServer;
    private RecentBlocks? _recent;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _catalog = Context.Spawn<ICatalogCommand>("catalog", () => new CatalogActor(repository.Catalog, TellSyncOfWrite));
        Context.Spawn<IUploaderCommand>("backends", () => new BackendsActor(repository.Backends), MailboxOptions.Unbounded);
        var catalog = _catalog;
        _healer = Context.Spawn<IHealerCommand>("healer", () => new HealerActor(repository, repository.Backends, catalog, healthEvents, options.Healer ?? new HealerOptions()),
            MailboxOptions.Unbounded, s_healerStrategy);

        // Reads that had to rebuild a block tell the healer, so the damaged shard is repaired soon.
        var healer = _healer;
        // With peers, blocks an add stores stay in memory a while: peers ask for them at once (see RecentBlocks).
        var recent = _recent = options.Network is { Swarm.RecentBytes: > 0 and var recentBytes } ? new RecentBlocks(recentBytes) : null;
        _encoders = Context.SpawnPool<IEncoderCommand>("encoders", () => new EncoderActor(repository, healer, AnnounceStored, recent),
            options.EffectiveWorkers, RoutingStrategy.LeastBusy, new MailboxOptions { Capacity = EncoderMailbox });
        if (options.Network is { } network)
        {
            StartNetwork(network);
        }

        return ValueTask.CompletedTask;
    }

    // A block an add stored on the primary backend can be served at once (the block server reads it by name): peers
    // hear of it now, so full replicas fetch it while the add runs. Blocks stored elsewhere (stripes on other
    // backends) are served once the add commits and are fetched as wanted blocks.
    private void AnnounceStored(StoredBlock block)
    {
        // The codec stores every block under its usual name, so the backend alone says whether the server finds it.
        if (block.Backend == repository.Backends.Primary.Name)
        {
            Volatile.Read(ref _announceTo)?.Tell(new BlockStoredHere(new BlockAnnouncement(block.Id, block.PlainSize)));
        }
    }

    // Writes in this process reach peers without waiting for the sync actor's next look at the log.
    private void TellSyncOfWrite() => Volatile.Read(ref _writesTo)?.Tell(new CatalogWritten());

    // /node/sync, /node/swarm, /node/peers and /node/discovery: peers' frames are routed to the sync responder and the
    // block server, connections to the sync and swarm actors, and discovered addresses to the peers actor. Each restarts
    // on its own with backoff, so what one must know of the others outlives its instances: peer events go through a hub
    // that the sync and swarm actors subscribe to from their start (a restarted one hears of every connected peer again),
    // discovered addresses through a bridge that replays them to a restarted peers actor, and the peers actor listens on
    // the port its first instance bound (a port 0 is chosen once, so discovery and other nodes keep finding it).
    // Nothing here waits for a child: this actor supervises its children only between messages, so a peers actor
    // failing at its start (a port taken) is restarted with backoff while the rest of the node runs.
    private void StartNetwork(NodeNetworkOptions network)
    {
        var catalog = _catalog!;
        var identity = _identity = repository.LoadIdentity();
        var events = new PeerEventHub();
        var swarmOptions = network.Swarm with { PeerEvents = events };
        var swarm = Context.Spawn<ISwarmCommand>("swarm", () => new SwarmActor(repository, catalog, swarmOptions), MailboxOptions.Unbounded, NetworkStrategy);
        var syncOptions = network.Sync with { Members = () => TrustedPeers(), OperationsApplied = () => swarm.Tell(new CatalogGrew()), PeerEvents = events };
        var sync = Context.Spawn<ISyncCommand>("sync", () => new SyncActor(repository.Catalog, catalog, syncOptions), MailboxOptions.Unbounded, NetworkStrategy);
        var router = new PeerInboundRouter();
        var blocks = _blockServer = new BlockServer(repository, Context.Logger, _recent);
        var handler = new NodePeerHandler(new CatalogSyncResponder(repository.Catalog), blocks, sync, swarm);
        router.Register(handler, NodePeerHandler.Requests);
        router.Register(handler, NodePeerHandler.Messages);
        var discovered = new DiscoveryBridge();
        _peersOptions = network.Peers;
        var peers = Context.Spawn<IPeersCommand>("peers",
            () => new PeersActor(identity, repository.Key, repository.Catalog, router, Volatile.Read(ref _peersOptions)!, events, discovered.Replay),
            MailboxOptions.Unbounded, NetworkStrategy);
        discovered.Attach(peers);
        _network = new NodeNetwork(identity.DeviceId, peers, sync, swarm);
        Volatile.Write(ref _announceTo, swarm);
        Volatile.Write(ref _writesTo, sync);
        _startDiscovery = listening =>
        {
            var discovery = new DiscoveryOptions
            {
                LocalDevice = identity.DeviceId,
                PeerPort = listening?.Port is > 0 and var port ? port : PeersOptions.DefaultPort,
                EnableMdns = network.Mdns,
                Announce = network.Mdns && listening is { Port: > 0 },
                StaticPeers = network.StaticPeers,
                DnsName = network.DnsName,
            };
            var actor = Context.Spawn<IDiscoveryCommand>("discovery", () => new DiscoveryActor(discovery, discovered), MailboxOptions.Unbounded, NetworkStrategy);
            _network = _network with { Discovery = actor };
        };

        if (network.Peers.ListenEndPoint is not { Port: 0 })
        {
            StartDiscovery(network.Peers.ListenEndPoint);
            return;
        }

        // Port 0: discovery announces the port the peers actor binds, which it reports once started.
        peers.Tell(new GetPeersStatus(Context.ReplyAdapter<PeersStatus>(status => new PeersListening(status.ListenEndPoint))));
        _peersOverdue = Context.ScheduleTellOnce(s_peersStartTimeout, new PeersListening(null));
    }

    // Starts discovery once (with the port peers listen on, or the configured one) and answers those waiting for the network.
    private void StartDiscovery(IPEndPoint? listening)
    {
        if (_startDiscovery is not { } start)
        {
            return;
        }

        _startDiscovery = null;
        _peersOverdue?.Cancel();
        if (listening is { Port: > 0 } && Volatile.Read(ref _peersOptions) is { ListenEndPoint.Port: 0 } configured)
        {
            Volatile.Write(ref _peersOptions, configured with { ListenEndPoint = listening });
        }

        start(listening);
        foreach (var waiter in _networkWaiters)
        {
            waiter.Reply(_network);
        }

        _networkWaiters.Clear();
    }

    private IReadOnlyCollection<Isg.Protocol.Peers.DeviceId> TrustedPeers()
    {
        using var reader = repository.Catalog.CreateReader();
        return [.. reader.ListPeers().Select(p => p.Device)];
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _blockServer?.Dispose();
        _blockServer = null;
        _recent?.Dispose();
        _recent = null;
        _identity?.Dispose();
        _identity = null;
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
            case GetNetwork getNetwork when _startDiscovery is not null:
                _networkWaiters.Add(getNetwork.ReplyTo);
                break;
            case GetNetwork getNetwork:
                getNetwork.ReplyTo.Reply(_network);
                break;
            case PeersListening listening when listening.EndPoint is null && _startDiscovery is not null:
                Context.Logger.LogError("the peers actor has not reported its port within {Timeout} (see its failures); discovery starts without it",
                    s_peersStartTimeout);
                StartDiscovery(null);
                break;
            case PeersListening listening:
                StartDiscovery(listening.EndPoint);
                break;
            case GetWorkers get:
                get.ReplyTo.Reply(new NodeWorkers(catalog, encoders));
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }

    // Self: the peers actor's port once it has started (null: it has not within the time allowed).
    private sealed record PeersListening(IPEndPoint? EndPoint) : INodeCommand;

    private static Task FetchFromPeersAsync(IActorRef<ISwarmCommand> swarm, IReadOnlyList<Isg.Protocol.Hashing.BlockId> ids, CancellationToken cancellationToken) =>
        swarm.AskAsync<ISwarmCommand, BlocksFetched>(r => new FetchBlocks(ids, r), Timeout.InfiniteTimeSpan, cancellationToken);

    // Chunks between reader and store: enough to keep every worker busy, few enough to bound memory.
    private int InFlightChunks(int maxChunkSize) =>
        (int)Math.Max(4L * options.EffectiveWorkers, options.InFlightBytes / Math.Max(1, maxChunkSize));
}

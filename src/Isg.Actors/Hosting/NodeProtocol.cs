using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Healing;
using Isg.Actors.Ingest;
using Isg.Actors.Restore;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;

namespace Isg.Actors.Hosting;

/// <summary>Messages of the node's root actor (/node).</summary>
public interface INodeCommand;

/// <summary>Starts an add as a child job; the job replies when everything it acknowledged is committed.</summary>
public sealed record StartIngest(
    IReadOnlyList<IngestSource> Sources,
    IngestOptions Options,
    IProgress<TransferProgress>? Progress,
    CancellationToken CancellationToken,
    IReplyTo<TransferOutcome<IngestReport>> ReplyTo) : INodeCommand;

/// <summary>Starts a restore as a child job.</summary>
public sealed record StartRestore(
    RestoreRequest Request,
    IProgress<TransferProgress>? Progress,
    CancellationToken CancellationToken,
    IReplyTo<TransferOutcome<RestoreReport>> ReplyTo) : INodeCommand;

/// <summary>Asks for the node's long-lived workers (for checks and tools). Replies <see cref="NodeWorkers"/>.</summary>
public sealed record GetWorkers(IReplyTo<NodeWorkers> ReplyTo) : INodeCommand;

/// <summary>The catalogue writer and the encoder pool.</summary>
public sealed record NodeWorkers(IActorRef<ICatalogCommand> Catalog, IActorRef<IEncoderCommand> Encoders);

/// <summary>Asks for the healer (/node/healer). Replies its ref.</summary>
public sealed record GetHealer(IReplyTo<IActorRef<IHealerCommand>> ReplyTo) : INodeCommand;

/// <summary>Asks for the node's network actors. Replies <see cref="NodeNetwork"/>, or null when the node has none.</summary>
public sealed record GetNetwork(IReplyTo<NodeNetwork?> ReplyTo) : INodeCommand;

/// <summary>The node's network actors and its device id.</summary>
public sealed record NodeNetwork(
    Isg.Protocol.Peers.DeviceId Device,
    IActorRef<Isg.Actors.Peers.IPeersCommand> Peers,
    IActorRef<Isg.Actors.Sync.ISyncCommand> Sync,
    IActorRef<Isg.Actors.Swarm.ISwarmCommand> Swarm)
{
    /// <summary>The discovery actor (/node/discovery).</summary>
    public IActorRef<Isg.Actors.Discovery.IDiscoveryCommand>? Discovery { get; init; }
}

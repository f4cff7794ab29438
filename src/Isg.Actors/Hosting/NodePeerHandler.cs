using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Hosting;

/// <summary>
/// What the node does with a peer's frames: catalogue requests are answered by the sync responder and block requests
/// by the block server, both off the actors' mailboxes (concurrently); summaries go to the sync actor, block
/// announcements to the swarm actor.
/// </summary>
public sealed class NodePeerHandler(CatalogSyncResponder catalog, BlockServer blocks, IActorRef<ISyncCommand> sync, IActorRef<ISwarmCommand> swarm) : IPeerInboundHandler
{
    /// <summary>The request bodies this handler answers.</summary>
    public static PeerFrame.BodyOneofCase[] Requests { get; } =
    [
        PeerFrame.BodyOneofCase.OperationsRequest, PeerFrame.BodyOneofCase.MerkleRootRequest, PeerFrame.BodyOneofCase.PathStatesRequest,
        PeerFrame.BodyOneofCase.BlockRequest,
    ];

    /// <summary>The one-way bodies this handler takes.</summary>
    public static PeerFrame.BodyOneofCase[] Messages { get; } = [PeerFrame.BodyOneofCase.SyncSummary, PeerFrame.BodyOneofCase.HaveBlocks];

    /// <inheritdoc />
    public async ValueTask<PeerFrame> HandleRequestAsync(IPeerSession session, PeerFrame request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = request.BodyCase == PeerFrame.BodyOneofCase.BlockRequest
            ? await blocks.AnswerAsync(request, cancellationToken).ConfigureAwait(false)
            : catalog.Answer(request);
        return answer ?? new PeerFrame { Error = new ErrorReply { Code = ErrorCode.BadRequest, Message = $"{request.BodyCase} is not a request" } };
    }

    /// <inheritdoc />
    public ValueTask HandleMessageAsync(IPeerSession session, PeerFrame message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(message);

        switch (message.BodyCase)
        {
            case PeerFrame.BodyOneofCase.SyncSummary:
                sync.Tell(new SummaryReceived(session.Remote, message.SyncSummary));
                break;
            case PeerFrame.BodyOneofCase.HaveBlocks:
                // Blocks an add on the peer is storing: a full replica starts fetching them before the add commits.
                if (!BlockAnnouncement.TryRead(message.HaveBlocks, out var announced, out var error))
                {
                    throw new InvalidDataException($"peer {session.Remote.ShortId} sent a bad block announcement: {error}");
                }

                if (announced.Count > 0)
                {
                    swarm.Tell(new PeerHasBlocks(session.Remote, announced));
                }

                break;
        }

        return ValueTask.CompletedTask;
    }
}

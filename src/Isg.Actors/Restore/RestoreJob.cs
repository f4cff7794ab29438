using Isg.Actors.Encoders;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;

namespace Isg.Actors.Restore;

/// <summary>Everything a <see cref="RestoreJobActor"/> needs.</summary>
public sealed record RestoreJob(
    Repository Repository,
    RestoreRequest Request,
    IActorRef<IEncoderCommand> Encoders,
    int MaxBlocksInFlight,
    IProgress<TransferProgress>? Progress,
    IReplyTo<TransferOutcome<RestoreReport>> ReplyTo,
    CancellationToken CancellationToken)
{
    /// <summary>
    /// Fetches blocks held nowhere here from peers before they are read (a node that holds the catalogue only); null
    /// when the node has no peers. Blocks it cannot get stay missing, and their files fail as usual.
    /// </summary>
    public Func<IReadOnlyList<Isg.Protocol.Hashing.BlockId>, CancellationToken, Task>? FetchFromPeers { get; init; }
}

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
    CancellationToken CancellationToken);

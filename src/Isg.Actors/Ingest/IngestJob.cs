using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Encoders;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Transfers;

namespace Isg.Actors.Ingest;

/// <summary>Everything an <see cref="IngestJobActor"/> needs: what to add, where to, and whom to tell.</summary>
public sealed record IngestJob(
    Repository Repository,
    IReadOnlyList<IngestSource> Sources,
    IngestOptions Options,
    IActorRef<ICatalogCommand> Catalog,
    IActorRef<IEncoderCommand> Encoders,
    BackendSet Backends,
    int MaxChunksInFlight,
    IProgress<TransferProgress>? Progress,
    IReplyTo<TransferOutcome<IngestReport>> ReplyTo,
    CancellationToken CancellationToken);

using Isg.Actors.Runtime;
using Isg.Actors.Transfers;

namespace Isg.Actors.Healing;

/// <summary>Messages of the healer (/node/healer).</summary>
public interface IHealerCommand;

/// <summary>
/// Runs a scrub pass now (after any pass in progress). Replies <see cref="ScrubOutcome"/> when it ends.
/// Cancelling <see cref="CancellationToken"/> stops this pass; what it recorded stays.
/// </summary>
public sealed record RunScrub(ScrubRequest Request, IProgress<TransferProgress>? Progress, CancellationToken CancellationToken,
    IReplyTo<ScrubOutcome> ReplyTo) : IHealerCommand;

/// <summary>The end of a <see cref="RunScrub"/>: the report, or the failure that stopped the pass.</summary>
public sealed record ScrubOutcome(ScrubReport? Report, Exception? Failure);

/// <summary>Self: time to check whether a periodic pass is due or a repair was requested.</summary>
internal sealed record HealerTick : IHealerCommand;

/// <summary>Self: the pass in progress ended.</summary>
internal sealed record PassEnded(ScrubReport? Report, Exception? Failure) : IHealerCommand;

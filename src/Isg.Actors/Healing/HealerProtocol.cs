using Isg.Actors.Runtime;
using Isg.Actors.Striping;
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

/// <summary>
/// Shards a read found missing or damaged (see <see cref="StripeReader.DamageFound"/>): the healer verifies
/// and repairs just those soon, in a pass of their own at full speed after any pass in progress, recorded and
/// reported through events like a scrub page. Reports that arrive meanwhile are merged into the next such pass.
/// Fire and forget; safe to resend.
/// </summary>
public sealed record RepairShards(IReadOnlyList<ShardDamage> Damage) : IHealerCommand;

/// <summary>Self: time to check whether a periodic pass is due or a repair was requested.</summary>
internal sealed record HealerTick : IHealerCommand;

/// <summary>Self: the pass in progress ended.</summary>
internal sealed record PassEnded(ScrubReport? Report, Exception? Failure) : IHealerCommand;

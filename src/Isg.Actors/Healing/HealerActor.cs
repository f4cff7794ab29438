using System.Runtime.ExceptionServices;
using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Repositories;
using Isg.Actors.Runtime;
using Isg.Actors.Striping;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Healing;

/// <summary>
/// The healer (/node/healer): runs scrub passes one at a time in the background (see <see cref="Scrubber"/>) and
/// reports each end to itself. Asked passes (<see cref="RunScrub"/>) queue behind the one in progress. When
/// periodic, a pass with repair starts every <c>scrub.interval</c>, at once after a restart that interrupted one
/// (it resumes from the stored cursor), and when another process asked for a repair (<see cref="RepairRequestKey"/>).
/// The node's own passes keep to <c>scrub.rate</c>; asked passes (someone waits for them: `isg verify`, `isg repair
/// --now`) run at full speed, as do passes over the shards reads reported damaged (<see cref="RepairShards"/>), which
/// run when no asked pass waits. A pass that fails unexpectedly fails the actor, so its supervisor restarts it with backoff.
/// </summary>
public sealed class HealerActor(
    Repository repository,
    BackendSet backends,
    IActorRef<ICatalogCommand> catalog,
    HealthEventLog events,
    HealerOptions options) : Actor<IHealerCommand>
{
    /// <summary>The config key another process sets to ask the running node's healer for a repair pass soon.</summary>
    public const string RepairRequestKey = CatalogWriter.RepairRequestKey;

    private static readonly TimeSpan s_recordTimeout = TimeSpan.FromMinutes(5);

    private readonly Queue<RunScrub> _waiting = new();
    private readonly Dictionary<(string Backend, string ObjectName), ShardDamage> _damaged = [];
    private CancellationTokenSource? _passCancellation;
    private RunScrub? _current;
    private ScheduledTell? _tick;

    // A pass runs exactly while it has a cancellation source.
    private bool Running => _passCancellation is not null;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        if (options.Periodic)
        {
            _tick = Context.ScheduleTellOnce(TimeSpan.Zero, new HealerTick());
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _tick?.Cancel();
        _passCancellation?.Cancel();
        var stopped = new ScrubOutcome(null, new OperationCanceledException("the healer stopped"));
        _current?.ReplyTo.Reply(stopped);
        while (_waiting.TryDequeue(out var waiting))
        {
            waiting.ReplyTo.Reply(stopped);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask HandleAsync(IHealerCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case RunScrub run:
                _waiting.Enqueue(run);
                StartNext();
                break;
            case RepairShards repair:
                foreach (var damage in repair.Damage)
                {
                    _damaged.TryAdd((damage.Backend, damage.ObjectName), damage);
                }

                StartNext();
                break;
            case HealerTick:
                await OnTickAsync(cancellationToken).ConfigureAwait(false);
                break;
            case PassEnded ended:
                OnPassEnded(ended);
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }
    }

    private async Task OnTickAsync(CancellationToken cancellationToken)
    {
        _tick = Context.ScheduleTellOnce(options.EffectivePollInterval, new HealerTick());
        if (Running)
        {
            return;
        }

        string? requested;
        string? cursor;
        ScrubPassSummary? last;
        using (var reader = repository.Catalog.CreateReader())
        {
            requested = reader.GetConfig(RepairRequestKey);
            cursor = reader.GetConfig(CatalogWriter.ScrubCursorKey);
            last = ScrubPassSummary.TryParse(reader.GetConfig(CatalogWriter.LastPassKey));
        }

        if (requested is not null)
        {
            // Through the catalogue actor, the only writer; a request that arrives again later simply runs again.
            await RecordAsync(new ScrubRecord([], [], [], null, ClearRepairRequest: true), cancellationToken).ConfigureAwait(false);

            Context.Logger.LogInformation("a repair pass was requested at {Requested}: starting it", requested);
            StartPass(new ScrubRequest(Repair: true), null, rated: true, CancellationToken.None);
            return;
        }

        var due = last is null || Context.TimeProvider.GetUtcNow() - last.FinishedAt >= repository.Settings.ScrubInterval;
        if (cursor is not null || due)
        {
            StartPass(new ScrubRequest(Repair: true, Resume: true), null, rated: true, CancellationToken.None);
        }
    }

    private void StartNext()
    {
        if (Running)
        {
            return;
        }

        if (!_waiting.TryDequeue(out var next))
        {
            if (_damaged.Count > 0)
            {
                var damaged = _damaged.Values.ToList();
                _damaged.Clear();
                StartPass(new ScrubRequest(Repair: true, Damaged: damaged), null, rated: false, CancellationToken.None);
            }

            return;
        }

        _current = next;
        StartPass(next.Request, next.Progress, rated: false, next.CancellationToken);
    }

    private void StartPass(ScrubRequest request, IProgress<Transfers.TransferProgress>? progress, bool rated, CancellationToken cancellationToken)
    {
        _passCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _passCancellation.Token;
        var self = Context.Self;
        var scrubber = new Scrubber(repository, backends, RecordAsync, events,
            new TokenBucket(rated ? repository.Settings.ScrubRate : 0, Context.TimeProvider), Context.TimeProvider,
            options.EffectiveParallelism, options.PageSize);
        _ = Task.Run(async () =>
        {
            try
            {
                var report = await scrubber.RunAsync(request, progress, token).ConfigureAwait(false);
                self.Tell(new PassEnded(report, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                self.Tell(new PassEnded(null, e));
            }
        }, CancellationToken.None);
    }

    private void OnPassEnded(PassEnded ended)
    {
        _passCancellation?.Dispose();
        _passCancellation = null;
        var asked = _current;
        _current = null;
        asked?.ReplyTo.Reply(new ScrubOutcome(ended.Report, ended.Failure));
        if (ended.Failure is not null and not OperationCanceledException && asked is null)
        {
            // A background pass failed for a reason we do not handle (the catalogue, a bug): restart with backoff
            // and resume from the cursor rather than go on with state we cannot trust.
            Context.Logger.LogError(ended.Failure, "scrub pass failed");
            ExceptionDispatchInfo.Throw(ended.Failure);
        }

        StartNext();
    }

    private async Task RecordAsync(ScrubRecord record, CancellationToken cancellationToken)
    {
        var recorded = await catalog.AskAsync<ICatalogCommand, ScrubRecorded>(r => new RecordScrub(record, r), s_recordTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (recorded.Failure is not null)
        {
            ExceptionDispatchInfo.Throw(recorded.Failure);
        }
    }
}

using Isg.Actors.Runtime;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Queue;

/// <summary>
/// The backend actor (/node/backends/NAME) of a remote platform: drains its <see cref="QueuedBackend"/> in the
/// background. A pass runs at start, whenever a flush queues objects, when the earliest retry is due (on the actor
/// system's clock), and every <see cref="IdlePoll"/> so rows another process queued are picked up too.
/// </summary>
public sealed class UploaderActor(QueuedBackend backend) : Actor<IUploaderCommand>
{
    /// <summary>How often an idle uploader looks for rows queued by other processes.</summary>
    public static readonly TimeSpan IdlePoll = TimeSpan.FromMinutes(1);

    private EventHandler? _onEnqueued;
    private ScheduledTell? _next;
    private UploadPass? _last;

    // 1 while a DrainQueue sent from the enqueue event is in the mailbox, so a burst of flushes sends one.
    private int _drainPending;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        var self = Context.Self;
        _onEnqueued = (_, _) =>
        {
            if (Interlocked.Exchange(ref _drainPending, 1) == 0)
            {
                self.Tell(DrainQueue.Instance);
            }
        };
        backend.Enqueued += _onEnqueued;
        self.Tell(DrainQueue.Instance);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        backend.Enqueued -= _onEnqueued;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask HandleAsync(IUploaderCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case DrainQueue:
                Volatile.Write(ref _drainPending, 0);
                await DrainAsync(cancellationToken).ConfigureAwait(false);
                break;
            case GetLastPass get:
                get.ReplyTo.Reply(_last);
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        _next?.Cancel();
        UploadPass pass;
        try
        {
            pass = await backend.UploadDueAsync(ignoreSchedule: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Catalog.CatalogException or IOException)
        {
            // The queue could not be read or completed (a busy catalogue, a full disk): nothing was lost; try later.
            Context.Logger.LogWarning(e, "Backend {Backend}: upload pass failed; retrying in {Delay}", backend.Name, IdlePoll);
            _next = Context.ScheduleTellOnce(IdlePoll, DrainQueue.Instance);
            return;
        }

        _last = pass;
        var now = Context.TimeProvider.GetUtcNow();
        if (pass.NextDueAt is { } due && due <= now && pass.Failed == 0)
        {
            Context.Self.Tell(DrainQueue.Instance);
            return;
        }

        var delay = pass.NextDueAt is { } at ? at - now : IdlePoll;
        _next = Context.ScheduleTellOnce(delay < TimeSpan.Zero ? TimeSpan.Zero : delay > IdlePoll ? IdlePoll : delay, DrainQueue.Instance);
    }
}

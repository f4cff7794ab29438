using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Runtime;

/// <summary>A cell running an <see cref="Actor{TMessage}"/> with a bounded user mailbox; it is also the actor's ref.</summary>
internal sealed class ActorCell<TMessage> : Cell, IActorRef<TMessage>
    where TMessage : notnull
{
    private readonly Func<Actor<TMessage>> _factory;
    private readonly Channel<TMessage> _mailbox;
    private readonly MailboxFullMode _fullMode;
    private readonly ActorContext<TMessage> _context;

    private volatile bool _closed;
    private int _inFlight;
    private Actor<TMessage>? _actor;
    private ILogger? _logger;

    public ActorCell(
        ActorSystem system,
        Cell parent,
        string name,
        Func<Actor<TMessage>> factory,
        MailboxOptions mailbox,
        SupervisorStrategy? supervision)
        : base(system, parent, name, supervision)
    {
        _factory = factory;
        _fullMode = mailbox.FullMode;
        var options = new BoundedChannelOptions(mailbox.Capacity)
        {
            SingleReader = true,
            SingleWriter = false,

            // Writers freed by our reads must not continue inline on this actor's loop.
            AllowSynchronousContinuations = false,
            FullMode = mailbox.FullMode == MailboxFullMode.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        };
        _mailbox = mailbox.FullMode == MailboxFullMode.DropOldest
            ? Channel.CreateBounded<TMessage>(options, dropped => DeadLetter(dropped, DeadLetterReason.MailboxFull))
            : Channel.CreateBounded<TMessage>(options);
        _context = new ActorContext<TMessage>(this);
    }

    /// <summary>Queued plus in-flight user messages (for least-busy routing; racy by nature).</summary>
    internal int Load => _mailbox.Reader.Count + Volatile.Read(ref _inFlight);

    /// <summary>The actor's logger, named after its type.</summary>
    internal ILogger Logger => _logger ??= System.LoggerFactory.CreateLogger(_actor?.GetType().FullName ?? typeof(Actor<TMessage>).FullName!);

    /// <inheritdoc />
    protected override bool HasUserMessages => _mailbox.Reader.Count > 0;

    /// <inheritdoc />
    protected override SupervisorStrategy ChildStrategy => _actor?.GetSupervisorStrategy() ?? SupervisorStrategy.Default;

    /// <inheritdoc />
    public bool TryTell(TMessage message)
    {
        ThrowIfNull(message);
        if (_mailbox.Writer.TryWrite(message))
        {
            Schedule();
            return true;
        }

        DeadLetter(message, _closed ? DeadLetterReason.Stopped : DeadLetterReason.MailboxFull);
        return false;
    }

    /// <inheritdoc />
    public ValueTask TellAsync(TMessage message, CancellationToken cancellationToken)
    {
        ThrowIfNull(message);
        if (_mailbox.Writer.TryWrite(message))
        {
            Schedule();
            return ValueTask.CompletedTask;
        }

        if (_closed || _fullMode != MailboxFullMode.Wait)
        {
            DeadLetter(message, _closed ? DeadLetterReason.Stopped : DeadLetterReason.MailboxFull);
            return ValueTask.CompletedTask;
        }

        return WaitAndWriteAsync(message, cancellationToken);
    }

    /// <inheritdoc />
    public void Tell(TMessage message)
    {
        ThrowIfNull(message);
        if (_mailbox.Writer.TryWrite(message))
        {
            Schedule();
            return;
        }

        if (_closed || _fullMode != MailboxFullMode.Wait)
        {
            DeadLetter(message, _closed ? DeadLetterReason.Stopped : DeadLetterReason.MailboxFull);
            return;
        }

        // The channel queues blocked writers in order and moves them in as space frees, so later tells stay behind this one.
        _ = WriteLaterAsync(message);
    }

    /// <inheritdoc />
    public override string ToString() => Path;

    /// <summary>Schedules <paramref name="message"/> to self after <paramref name="delay"/> on the system clock.</summary>
    internal ScheduledTell ScheduleTellOnce(TimeSpan delay, TMessage message)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ThrowIfNull(message);
        var tell = new ScheduledTell(() => Tell(message), RemoveTimer);
        if (!TryAddTimer(tell))
        {
            tell.Cancel();
            DeadLetter(message, DeadLetterReason.Stopped);
            return tell;
        }

        tell.Start(System.TimeProvider, delay);
        return tell;
    }

    /// <inheritdoc />
    protected override async ValueTask<bool> TryProcessUserMessageAsync()
    {
        if (!_mailbox.Reader.TryRead(out var message))
        {
            return false;
        }

        Volatile.Write(ref _inFlight, 1);
        try
        {
            await _actor!.InvokeHandleAsync(message, Lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsStopRequested)
        {
            // Interrupted by a stop: the message in hand is lost, as any in-flight work of a stopped actor.
        }
        catch (Exception ex)
        {
            DeadLetter(message, DeadLetterReason.HandlerFailed);
            Fail(ex);
        }
        finally
        {
            Volatile.Write(ref _inFlight, 0);
        }

        return true;
    }

    /// <inheritdoc />
    protected override async ValueTask CreateInstanceAsync(Exception? restartReason, CancellationToken cancellationToken)
    {
        var actor = _factory() ?? throw new InvalidOperationException($"The factory of {Path} returned null.");
        actor.Attach(_context);
        _actor = actor;
        if (restartReason is not null)
        {
            await actor.InvokePreRestartAsync(restartReason, cancellationToken).ConfigureAwait(false);
        }

        await actor.InvokePreStartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask StopInstanceAsync()
    {
        var actor = _actor;
        if (actor is null)
        {
            return;
        }

        _actor = null;
        try
        {
            await actor.InvokePostStopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // PostStop runs while stopping or restarting; there is no one left to supervise it.
            System.RuntimeLogger.LogError(ex, "PostStop of {Path} threw", Path);
        }
    }

    /// <inheritdoc />
    protected override ValueTask DeliverTerminatedAsync(Terminated signal, CancellationToken cancellationToken) =>
        _actor!.InvokeOnTerminatedAsync(signal, cancellationToken);

    /// <inheritdoc />
    protected override void CloseMailbox()
    {
        _closed = true;
        _mailbox.Writer.TryComplete();
    }

    /// <inheritdoc />
    protected override void DrainMailbox()
    {
        while (_mailbox.Reader.TryRead(out var message))
        {
            DeadLetter(message, DeadLetterReason.Stopped);
        }
    }

    private static void ThrowIfNull(TMessage message)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }
    }

    private void DeadLetter(TMessage message, DeadLetterReason reason) => System.DeadLetters.Publish(Path, message, reason);

    private async ValueTask WaitAndWriteAsync(TMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _mailbox.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            DeadLetter(message, DeadLetterReason.Stopped);
            return;
        }

        Schedule();
    }

    private async Task WriteLaterAsync(TMessage message)
    {
        try
        {
            await _mailbox.Writer.WriteAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            DeadLetter(message, DeadLetterReason.Stopped);
            return;
        }

        Schedule();
    }
}

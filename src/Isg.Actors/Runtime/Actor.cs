namespace Isg.Actors.Runtime;

/// <summary>
/// Base of every actor: the runtime hands it one message at a time, on the thread pool, so its state needs no locks.
/// Expected failures are reply values; throw only when state may be corrupt or on a bug, and the supervisor decides
/// (the message in hand is then lost). The <c>cancellationToken</c> of the handler and the start hooks is cancelled
/// when the actor is asked to stop.
/// </summary>
/// <typeparam name="TMessage">The protocol the actor handles.</typeparam>
public abstract class Actor<TMessage>
    where TMessage : notnull
{
    private IActorContext<TMessage>? _context;

    /// <summary>The actor's view of the runtime. Set before <see cref="PreStartAsync"/>; not available in the constructor.</summary>
    protected IActorContext<TMessage> Context =>
        _context ?? throw new InvalidOperationException("The actor context is set by the runtime after construction: use it from PreStartAsync on.");

    /// <summary>The strategy this actor applies to children spawned without one. Read on each child failure.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy => SupervisorStrategy.Default;

    /// <summary>Handles one message. The next message is not handed over until the returned task completes.</summary>
    protected abstract ValueTask HandleAsync(TMessage message, CancellationToken cancellationToken);

    /// <summary>Runs before the first message of this instance (after <see cref="PreRestartAsync"/> on a restart). A throw is a failure.</summary>
    protected virtual ValueTask PreStartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Runs on the old instance when it stops or is replaced by a restart, after its children have stopped. The token is
    /// never cancelled by the runtime; a throw is logged.
    /// </summary>
    protected virtual ValueTask PostStopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Runs on the new instance of a restart, after the old one's PostStop and the backoff, before PreStart.</summary>
    protected virtual ValueTask PreRestartAsync(Exception reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Handles a death-watch signal for an actor watched with <see cref="IActorContext{TMessage}.Watch"/>. A throw is a failure.</summary>
    protected virtual ValueTask OnTerminatedAsync(Terminated signal, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    internal void Attach(IActorContext<TMessage> context) => _context = context;

    internal SupervisorStrategy GetSupervisorStrategy() => SupervisorStrategy;

    internal ValueTask InvokeHandleAsync(TMessage message, CancellationToken cancellationToken) => HandleAsync(message, cancellationToken);

    internal ValueTask InvokePreStartAsync(CancellationToken cancellationToken) => PreStartAsync(cancellationToken);

    internal ValueTask InvokePostStopAsync(CancellationToken cancellationToken) => PostStopAsync(cancellationToken);

    internal ValueTask InvokePreRestartAsync(Exception reason, CancellationToken cancellationToken) => PreRestartAsync(reason, cancellationToken);

    internal ValueTask InvokeOnTerminatedAsync(Terminated signal, CancellationToken cancellationToken) => OnTerminatedAsync(signal, cancellationToken);
}

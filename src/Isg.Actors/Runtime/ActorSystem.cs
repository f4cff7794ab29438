using Microsoft.Extensions.Logging;

namespace Isg.Actors.Runtime;

/// <summary>
/// A tree of actors under one root guardian. Top-level actors live at <c>/name</c> and are supervised with
/// <see cref="ActorSystemOptions.GuardianStrategy"/>. Shutting down stops the top-level actors one at a time, last
/// spawned first, each after its own children. All members are thread-safe.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly GuardianCell _guardian;
    private readonly Lock _shutdownLock = new();
    private Task? _shutdown;

    /// <summary>Creates and starts a system. Throws <see cref="ArgumentException"/> on bad options.</summary>
    public ActorSystem(string name, ActorSystemOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        options ??= new ActorSystemOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        ArgumentNullException.ThrowIfNull(options.LoggerFactory);
        ArgumentNullException.ThrowIfNull(options.GuardianStrategy);
        options.GuardianStrategy.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DeadLetterSummaryInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Throughput);

        Name = name;
        TimeProvider = options.TimeProvider;
        LoggerFactory = options.LoggerFactory;
        Throughput = options.Throughput;
        RuntimeLogger = LoggerFactory.CreateLogger("Isg.Actors.Runtime");
        DeadLetters = new DeadLetters(LoggerFactory.CreateLogger("Isg.Actors.Runtime.DeadLetters"), TimeProvider, options.DeadLetterSummaryInterval);
        _guardian = new GuardianCell(this, options.GuardianStrategy);
        _guardian.Start();
    }

    /// <summary>The system's name (for logs).</summary>
    public string Name { get; }

    /// <summary>The clock of every timer, backoff and ask timeout in this system.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The source of the actors' loggers.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Undelivered messages: counter and event.</summary>
    public DeadLetters DeadLetters { get; }

    /// <summary>The top-level actors, in creation order (a snapshot).</summary>
    public IReadOnlyList<IActorRef> TopLevelActors => _guardian.GetChildren();

    internal ILogger RuntimeLogger { get; }

    internal int Throughput { get; }

    /// <summary>
    /// Creates a top-level actor at <c>/name</c>, supervised with <paramref name="strategy"/> (null: the guardian strategy).
    /// Throws <see cref="InvalidOperationException"/> when the name is taken or the system is shutting down.
    /// </summary>
    public IActorRef<T> Spawn<T>(string name, Func<Actor<T>> factory, MailboxOptions? mailbox = null, SupervisorStrategy? strategy = null)
        where T : notnull =>
        _guardian.SpawnChild(name, factory, mailbox, strategy);

    /// <summary>Creates a top-level router pool at <c>/name</c>; see <see cref="IActorContext{TMessage}.SpawnPool"/>.</summary>
    public IActorRef<T> SpawnPool<T>(
        string name,
        Func<Actor<T>> factory,
        int size,
        RoutingStrategy routing,
        MailboxOptions? mailbox = null,
        SupervisorStrategy? routeeStrategy = null)
        where T : notnull =>
        _guardian.SpawnPoolChild(name, factory, size, routing, mailbox, routeeStrategy);

    /// <summary>
    /// Stops an actor of this system and completes once it and all its descendants have stopped (children first,
    /// last spawned first). Its in-flight handler's token is cancelled; queued messages become dead letters. Idempotent.
    /// Never await it inside the actor being stopped or one of its descendants: the stop waits for that handler to end
    /// (use <see cref="IActorContext{TMessage}.StopSelf"/> or <see cref="IActorContext{TMessage}.Stop"/> there).
    /// </summary>
    public ValueTask StopAsync(IActorRef actor)
    {
        var cell = OwnCell(actor);
        cell.RequestStop(null);
        return new ValueTask(cell.Terminated);
    }

    /// <summary>Completes with the actor's <see cref="Terminated"/> signal once it has stopped (at once if it already has).</summary>
    public Task<Terminated> WhenTerminated(IActorRef actor) => OwnCell(actor).Terminated;

    /// <summary>Stops every actor (see <see cref="StopAsync"/>) and logs the pending dead-letter summary. Idempotent; never await it inside an actor.</summary>
    public ValueTask ShutdownAsync()
    {
        lock (_shutdownLock)
        {
            _shutdown ??= ShutdownCoreAsync();
            return new ValueTask(_shutdown);
        }
    }

    /// <summary>Same as <see cref="ShutdownAsync"/>.</summary>
    public ValueTask DisposeAsync() => ShutdownAsync();

    /// <inheritdoc />
    public override string ToString() => $"ActorSystem {Name}";

    private async Task ShutdownCoreAsync()
    {
        _guardian.RequestStop(null);
        await _guardian.Terminated.ConfigureAwait(false);
        DeadLetters.FlushSummary();
    }

    private Cell OwnCell(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is Cell cell && cell.System == this && cell is not GuardianCell)
        {
            return cell;
        }

        throw new ArgumentException($"{actor.Path} is not an actor of system {Name}.", nameof(actor));
    }
}

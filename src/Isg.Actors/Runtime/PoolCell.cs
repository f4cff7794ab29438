using System.Globalization;

namespace Isg.Actors.Runtime;

/// <summary>
/// A router pool: a cell whose children are identical routees. Messages are routed on the sender's thread straight
/// into a routee's mailbox (no extra hop), so the pool's back-pressure is the chosen routee's. A routee that stops for
/// good leaves the rotation; when none is left the pool stops itself. Restarting the pool replaces all routees.
/// </summary>
internal sealed class PoolCell<TMessage> : Cell, IActorRef<TMessage>
    where TMessage : notnull
{
    private readonly Func<Actor<TMessage>> _factory;
    private readonly int _size;
    private readonly RoutingStrategy _routing;
    private readonly MailboxOptions _mailbox;
    private readonly SupervisorStrategy _routeeStrategy;
    private readonly Lock _routeesLock = new();

    private ActorCell<TMessage>[] _routees = [];
    private uint _next;

    public PoolCell(
        ActorSystem system,
        Cell parent,
        string name,
        Func<Actor<TMessage>> factory,
        int size,
        RoutingStrategy routing,
        MailboxOptions mailbox,
        SupervisorStrategy routeeStrategy)
        : base(system, parent, name, supervision: null)
    {
        _factory = factory;
        _size = size;
        _routing = routing;
        _mailbox = mailbox;
        _routeeStrategy = routeeStrategy;
    }

    /// <summary>The current routees (a snapshot).</summary>
    internal IReadOnlyList<IActorRef<TMessage>> Routees => Volatile.Read(ref _routees);

    /// <inheritdoc />
    protected override bool HasUserMessages => false;

    /// <inheritdoc />
    protected override SupervisorStrategy ChildStrategy => _routeeStrategy;

    /// <inheritdoc />
    public bool TryTell(TMessage message)
    {
        var routee = Pick(message);
        return routee is not null && routee.TryTell(message);
    }

    /// <inheritdoc />
    public ValueTask TellAsync(TMessage message, CancellationToken cancellationToken)
    {
        var routee = Pick(message);
        return routee is null ? ValueTask.CompletedTask : routee.TellAsync(message, cancellationToken);
    }

    /// <inheritdoc />
    public void Tell(TMessage message) => Pick(message)?.Tell(message);

    /// <inheritdoc />
    public override string ToString() => Path;

    /// <summary>
    /// The routee for the next message: in turn, or the least loaded starting from the turn's routee (so ties rotate).
    /// Null, with a dead letter, when there is none.
    /// </summary>
    internal ActorCell<TMessage>? Pick(TMessage message)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        var routees = Volatile.Read(ref _routees);
        if (routees.Length == 0)
        {
            System.DeadLetters.Publish(Path, message, IsStopRequested ? DeadLetterReason.Stopped : DeadLetterReason.NoRoutees);
            return null;
        }

        var start = (int)((Interlocked.Increment(ref _next) - 1) % (uint)routees.Length);
        var best = routees[start];
        if (_routing == RoutingStrategy.RoundRobin)
        {
            return best;
        }

        var bestLoad = best.Load;
        for (var i = 1; i < routees.Length && bestLoad > 0; i++)
        {
            var candidate = routees[(start + i) % routees.Length];
            var load = candidate.Load;
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
            }
        }

        return best;
    }

    /// <inheritdoc />
    protected override ValueTask<bool> TryProcessUserMessageAsync() => ValueTask.FromResult(false);

    /// <inheritdoc />
    protected override ValueTask CreateInstanceAsync(Exception? restartReason, CancellationToken cancellationToken)
    {
        if (restartReason is not null)
        {
            SpawnRoutees();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask StopInstanceAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    protected override void OnChildStopped(Cell child)
    {
        lock (_routeesLock)
        {
            var index = Array.IndexOf(_routees, child);
            if (index >= 0)
            {
                Volatile.Write(ref _routees, [.. _routees[..index], .. _routees[(index + 1)..]]);
            }
        }
    }

    /// <inheritdoc />
    protected override void OnChildTerminated(Cell child)
    {
        if (IsRunning && Volatile.Read(ref _routees).Length == 0)
        {
            RequestStop(child.TerminatedSignal?.Cause);
        }
    }

    /// <summary>Spawns the first routees; called once the pool is registered with its parent, before its ref is returned.</summary>
    internal void SpawnRoutees()
    {
        var routees = new ActorCell<TMessage>[_size];
        for (var i = 0; i < _size; i++)
        {
            routees[i] = SpawnChild(string.Create(CultureInfo.InvariantCulture, $"${i}"), _factory, _mailbox, null);
        }

        lock (_routeesLock)
        {
            Volatile.Write(ref _routees, routees);
        }
    }
}

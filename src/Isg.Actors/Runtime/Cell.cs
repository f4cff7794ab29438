using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Runtime;

/// <summary>
/// The runtime side of one actor (or pool, or the root guardian): system queue, lifecycle, supervision of its
/// children and death watch. Work runs on the thread pool, one loop at a time per cell: the loop serves the whole
/// system queue before each user message. Everything marked "loop only" is touched by that loop alone; state shared
/// with other threads (children, watchers, stop request, timers) is guarded by <see cref="_gate"/>.
/// No lock is ever held while calling into another cell, so cells cannot deadlock each other.
/// </summary>
internal abstract class Cell : IActorRef, IThreadPoolWorkItem
{
    private readonly Cell? _parent;
    private readonly ConcurrentQueue<SystemMessage> _systemQueue = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<Terminated> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RestartStatistics _groupRestarts = new();

    private readonly Lock _gate = new();
    private readonly List<Cell> _children = [];
    private readonly Dictionary<string, Cell> _childrenByName = new(StringComparer.Ordinal);
    private readonly HashSet<Cell> _watchers = [];
    private readonly HashSet<Cell> _watching = [];
    private readonly HashSet<ScheduledTell> _timers = [];
    private bool _acceptingChildren = true;
    private Exception? _stopCause;
    private Terminated? _terminatedSignal;

    // Loop only.
    private readonly Queue<Terminated> _pendingSignals = new();
    private readonly List<Cell> _suspendedChildren = [];
    private ITimer? _restartTimer;
    private int _restartGeneration;
    private Exception? _restartReason;

    private int _scheduled;
    private volatile CellState _state = CellState.Starting;
    private volatile bool _stopRequested;

    protected Cell(ActorSystem system, Cell? parent, string name, SupervisorStrategy? supervision)
    {
        System = system;
        _parent = parent;
        Name = name;
        Path = parent is null ? string.Empty : parent.Path + "/" + name;
        Supervision = supervision;
    }

    /// <summary>The system this cell belongs to.</summary>
    public ActorSystem System { get; }

    /// <summary>The last path segment.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>The supervisor; null only for the guardian.</summary>
    internal Cell? Parent => _parent;

    /// <summary>How the parent supervises this cell; null means the parent's own strategy for its children.</summary>
    internal SupervisorStrategy? Supervision { get; }

    /// <summary>One-for-one restart counts of this cell, kept by its parent's loop.</summary>
    internal RestartStatistics Restarts { get; } = new();

    /// <summary>Completes once the cell has stopped, its children first.</summary>
    internal Task<Terminated> Terminated => _terminated.Task;

    /// <summary>The signal sent to watchers, once the cell has terminated.</summary>
    internal Terminated? TerminatedSignal
    {
        get
        {
            lock (_gate)
            {
                return _terminatedSignal;
            }
        }
    }

    /// <summary>True from the moment a stop is requested.</summary>
    internal bool IsStopRequested => _stopRequested;

    /// <summary>Current lifecycle state (racy outside the loop; for diagnostics and tests).</summary>
    internal CellState State => _state;

    /// <summary>Cancelled when a stop is requested; handlers and start hooks receive it.</summary>
    protected CancellationToken Lifetime => _lifetime.Token;

    /// <summary>The children in creation order (a snapshot).</summary>
    internal IReadOnlyList<IActorRef> GetChildren()
    {
        lock (_gate)
        {
            return [.. _children];
        }
    }

    /// <summary>Queues the first start. Called once, after the cell is registered with its parent.</summary>
    internal void Start() => EnqueueSystem(SystemMessage.Create.Instance);

    /// <summary>Queues a system message and makes sure the loop runs. Thread-safe.</summary>
    internal void EnqueueSystem(SystemMessage message)
    {
        _systemQueue.Enqueue(message);
        Schedule();
    }

    /// <summary>Asks the cell to stop (idempotent; the first cause wins). Cancels <see cref="Lifetime"/> at once. Thread-safe.</summary>
    internal void RequestStop(Exception? cause)
    {
        lock (_gate)
        {
            if (_stopRequested)
            {
                return;
            }

            _stopRequested = true;
            _stopCause = cause;
        }

        // Token callbacks run on the thread pool, not on the caller (often another actor's loop).
        _ = _lifetime.CancelAsync();
        EnqueueSystem(SystemMessage.Stop.Instance);
    }

    /// <summary>Creates a child actor. Throws when the name is taken or this cell no longer accepts children.</summary>
    internal ActorCell<TChild> SpawnChild<TChild>(
        string name,
        Func<Actor<TChild>> factory,
        MailboxOptions? mailbox,
        SupervisorStrategy? strategy)
        where TChild : notnull
    {
        ValidateChild(name, factory, mailbox, strategy);
        var child = new ActorCell<TChild>(System, this, name, factory, mailbox ?? MailboxOptions.Default, strategy);
        AddChild(child);
        child.Start();
        return child;
    }

    /// <summary>Creates a router pool child with <paramref name="size"/> routees.</summary>
    internal PoolCell<TChild> SpawnPoolChild<TChild>(
        string name,
        Func<Actor<TChild>> factory,
        int size,
        RoutingStrategy routing,
        MailboxOptions? mailbox,
        SupervisorStrategy? routeeStrategy)
        where TChild : notnull
    {
        ValidateChild(name, factory, mailbox, routeeStrategy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (!Enum.IsDefined(routing))
        {
            throw new ArgumentOutOfRangeException(nameof(routing), routing, "Unknown routing strategy.");
        }

        var pool = new PoolCell<TChild>(
            System,
            this,
            name,
            factory,
            size,
            routing,
            mailbox ?? MailboxOptions.Default,
            routeeStrategy ?? SupervisorStrategy.Default);
        AddChild(pool);

        // Routees exist before the pool ref is returned, so the first message already has somewhere to go.
        pool.SpawnRoutees();
        pool.Start();
        return pool;
    }

    /// <summary>Stops a child (or this cell itself). Throws for any other actor: an actor stops only its children and itself.</summary>
    internal void StopChild(IActorRef other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            RequestStop(null);
            return;
        }

        if (other is not Cell cell || cell.Parent != this)
        {
            throw new ArgumentException($"{other.Path} is not a child of {Path}: an actor stops only its children and itself.", nameof(other));
        }

        cell.RequestStop(null);
    }

    /// <summary>Starts watching <paramref name="other"/>: one <see cref="Runtime.Terminated"/> arrives when it stops, at once if it already has.</summary>
    internal void Watch(IActorRef other)
    {
        var target = OwnCell(other);
        if (target == this)
        {
            return;
        }

        lock (_gate)
        {
            if (_terminatedSignal is not null || !_watching.Add(target))
            {
                return;
            }
        }

        target.AddWatcher(this);
    }

    /// <summary>Stops watching <paramref name="other"/>; a <see cref="Runtime.Terminated"/> not yet handled is discarded.</summary>
    internal void Unwatch(IActorRef other)
    {
        var target = OwnCell(other);
        bool removed;
        lock (_gate)
        {
            removed = _watching.Remove(target);
        }

        if (removed)
        {
            target.RemoveWatcher(this);
        }
    }

    /// <summary>Registers a pending timer; false when the cell is stopping (the timer must not start).</summary>
    internal bool TryAddTimer(ScheduledTell timer)
    {
        lock (_gate)
        {
            return !_stopRequested && _timers.Add(timer);
        }
    }

    /// <summary>Forgets a timer that fired or was cancelled.</summary>
    internal void RemoveTimer(ScheduledTell timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    /// <summary>Makes sure the loop runs: schedules it unless it is scheduled or running. Thread-safe.</summary>
    protected void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>True when a user message is queued.</summary>
    protected abstract bool HasUserMessages { get; }

    /// <summary>Handles the next user message, if any; false when the mailbox was empty. Failures go to <see cref="Fail"/>.</summary>
    protected abstract ValueTask<bool> TryProcessUserMessageAsync();

    /// <summary>Creates and starts a new instance; <paramref name="restartReason"/> is non-null on a restart. Throws on failure.</summary>
    protected abstract ValueTask CreateInstanceAsync(Exception? restartReason, CancellationToken cancellationToken);

    /// <summary>Runs PostStop of the current instance, if any, and drops it. Must not throw.</summary>
    protected abstract ValueTask StopInstanceAsync();

    /// <summary>The strategy for children spawned without their own.</summary>
    protected abstract SupervisorStrategy ChildStrategy { get; }

    /// <summary>Delivers a death-watch signal to the instance. Throws on failure.</summary>
    protected virtual ValueTask DeliverTerminatedAsync(Terminated signal, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Stops accepting user messages (new ones become dead letters).</summary>
    protected virtual void CloseMailbox()
    {
    }

    /// <summary>Turns every queued user message into a dead letter.</summary>
    protected virtual void DrainMailbox()
    {
    }

    /// <summary>Called on the child's thread, under no lock, as soon as a child has stopped.</summary>
    protected virtual void OnChildStopped(Cell child)
    {
    }

    /// <summary>Called on this cell's loop after a child has stopped.</summary>
    protected virtual void OnChildTerminated(Cell child)
    {
    }

    /// <summary>Records the failure, suspends user messages and tells the supervisor. Loop only.</summary>
    protected void Fail(Exception cause) => Fail(cause, null, Path, duringStart: false);

    /// <summary>True while the loop may hand user messages to the instance.</summary>
    protected bool IsRunning => _state == CellState.Running;

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Actor name '{name}' must not contain '/'.", nameof(name));
        }
    }

    private static void ValidateChild<TChild>(string name, Func<Actor<TChild>> factory, MailboxOptions? mailbox, SupervisorStrategy? strategy)
        where TChild : notnull
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(factory);
        mailbox?.Validate();
        strategy?.Validate();
    }

    private Cell OwnCell(IActorRef other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is Cell cell && cell.System == System)
        {
            return cell;
        }

        throw new ArgumentException($"{other.Path} is not an actor of system {System.Name}; only those can be watched.", nameof(other));
    }

    private void AddChild(Cell child)
    {
        lock (_gate)
        {
            if (!_acceptingChildren || _stopRequested)
            {
                throw new InvalidOperationException($"{(Path.Length == 0 ? "The actor system" : Path)} is stopping; it cannot spawn {child.Name}.");
            }

            if (!_childrenByName.TryAdd(child.Name, child))
            {
                throw new InvalidOperationException($"{child.Path} already exists.");
            }

            _children.Add(child);
        }
    }

    private bool IsChild(Cell cell)
    {
        lock (_gate)
        {
            return _childrenByName.TryGetValue(cell.Name, out var current) && current == cell;
        }
    }

    private void AddWatcher(Cell watcher)
    {
        Terminated? signal;
        lock (_gate)
        {
            signal = _terminatedSignal;
            if (signal is null)
            {
                _watchers.Add(watcher);
            }
        }

        if (signal is not null)
        {
            watcher.EnqueueSystem(new SystemMessage.WatchedTerminated(signal));
        }
    }

    private void RemoveWatcher(Cell watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    private void ChildStopped(Cell child)
    {
        lock (_gate)
        {
            if (_childrenByName.TryGetValue(child.Name, out var current) && current == child)
            {
                _childrenByName.Remove(child.Name);
                _children.Remove(child);
            }
        }

        OnChildStopped(child);
        EnqueueSystem(new SystemMessage.ChildTerminated(child));
    }

    private bool HasWork() =>
        !_systemQueue.IsEmpty || (_state == CellState.Running && (_pendingSignals.Count > 0 || HasUserMessages));

    private async Task RunAsync()
    {
        try
        {
            var budget = System.Throughput;
            while (true)
            {
                if (_systemQueue.TryDequeue(out var message))
                {
                    await HandleSystemAsync(message).ConfigureAwait(false);
                    continue;
                }

                if (_state == CellState.Running)
                {
                    if (_pendingSignals.TryDequeue(out var signal))
                    {
                        await DeliverSignalAsync(signal).ConfigureAwait(false);
                        continue;
                    }

                    if (budget > 0 && await TryProcessUserMessageAsync().ConfigureAwait(false))
                    {
                        budget--;
                        continue;
                    }
                }

                if (budget == 0 && HasWork())
                {
                    // Yield the thread so that one busy actor cannot starve the others; the loop stays marked as scheduled.
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }

                // Full fence before re-checking: a sender that enqueued after our last look either sees 0 and schedules,
                // or we see its message here and take the loop back.
                Interlocked.Exchange(ref _scheduled, 0);
                if (!HasWork() || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            // A bug in the runtime itself: the cell's state is unknown, so it is terminated rather than run on.
            System.RuntimeLogger.LogCritical(ex, "Actor runtime fault in {Path}; terminating it", Path);
            ForceTerminate(ex);
        }
    }

    private ValueTask HandleSystemAsync(SystemMessage message)
    {
        switch (message)
        {
            case SystemMessage.Create:
                return StartInstanceAsync(null);
            case SystemMessage.Stop:
                return StopAsync();
            case SystemMessage.Failed failed:
                HandleChildFailure(failed);
                return ValueTask.CompletedTask;
            case SystemMessage.Resume:
                HandleResume();
                return ValueTask.CompletedTask;
            case SystemMessage.Restart restart:
                return RestartAsync(restart.Cause, restart.Delay);
            case SystemMessage.RestartDue due:
                return HandleRestartDueAsync(due.Generation);
            case SystemMessage.WatchedTerminated watched:
                HandleWatchedTerminated(watched.Signal);
                return ValueTask.CompletedTask;
            case SystemMessage.ChildTerminated child:
                if (_state is not (CellState.Stopping or CellState.Terminated))
                {
                    OnChildTerminated(child.Child);
                }

                return ValueTask.CompletedTask;
            default:
                throw new InvalidOperationException($"Unknown system message {message.GetType().Name}.");
        }
    }

    private async ValueTask StartInstanceAsync(Exception? restartReason)
    {
        if (_stopRequested || _state is CellState.Stopping or CellState.Terminated)
        {
            return;
        }

        lock (_gate)
        {
            _acceptingChildren = true;
        }

        try
        {
            await CreateInstanceAsync(restartReason, _lifetime.Token).ConfigureAwait(false);
            _state = CellState.Running;
        }
        catch (OperationCanceledException) when (_stopRequested)
        {
            // Stopped while starting: the queued Stop finishes the job.
        }
        catch (Exception ex)
        {
            Fail(ex, null, Path, duringStart: true);
        }
    }

    private async ValueTask DeliverSignalAsync(Terminated signal)
    {
        try
        {
            await DeliverTerminatedAsync(signal, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopRequested)
        {
            // Stopping: the signal no longer matters.
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception cause, Cell? escalatedFrom, string originPath, bool duringStart)
    {
        var alreadySuspended = _state == CellState.Suspended;
        _state = CellState.Suspended;
        if (escalatedFrom is not null)
        {
            _suspendedChildren.Add(escalatedFrom);
        }

        if (alreadySuspended && escalatedFrom is not null)
        {
            // Our supervisor is already deciding about us; its directive covers this child too.
            return;
        }

        if (_parent is null)
        {
            System.RuntimeLogger.LogCritical(cause, "The root guardian failed ({Origin}); stopping the system", originPath);
            RequestStop(cause);
            return;
        }

        _parent.EnqueueSystem(new SystemMessage.Failed(this, cause, originPath, duringStart));
    }

    private void HandleResume()
    {
        if (_state != CellState.Suspended)
        {
            return;
        }

        _state = CellState.Running;
        foreach (var child in _suspendedChildren)
        {
            child.EnqueueSystem(SystemMessage.Resume.Instance);
        }

        _suspendedChildren.Clear();
    }

    private void HandleChildFailure(SystemMessage.Failed failed)
    {
        var child = failed.Child;

        // A restarting or stopping supervisor is stopping all its children anyway; a stopping child is already gone.
        if (_state is CellState.Restarting or CellState.Stopping or CellState.Terminated || child.IsStopRequested || !IsChild(child))
        {
            return;
        }

        var strategy = child.Supervision ?? ChildStrategy;
        var logger = System.RuntimeLogger;
        SupervisorDirective directive;
        try
        {
            directive = strategy.Decider(failed.Cause);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The supervisor decider of {Path} threw; stopping {Child}", Path, child.Path);
            directive = SupervisorDirective.Stop;
        }

        if (directive == SupervisorDirective.Resume && failed.DuringStart)
        {
            // There is no started instance to resume.
            directive = SupervisorDirective.Restart;
        }

        switch (directive)
        {
            case SupervisorDirective.Resume:
                logger.LogWarning(failed.Cause, "{Origin} failed; resuming {Child}", failed.OriginPath, child.Path);
                child.EnqueueSystem(SystemMessage.Resume.Instance);
                break;
            case SupervisorDirective.Restart:
                var stats = strategy.Scope == SupervisionScope.AllForOne ? _groupRestarts : child.Restarts;
                var timeProvider = System.TimeProvider;
                var restart = stats.RecordFailure(timeProvider, timeProvider.GetTimestamp(), strategy.Window);
                if (restart > strategy.MaxRetries)
                {
                    logger.LogError(
                        failed.Cause,
                        "{Origin} failed; {Child} exceeded {MaxRetries} restarts within {Window} and is stopped",
                        failed.OriginPath,
                        child.Path,
                        strategy.MaxRetries,
                        strategy.Window);
                    StopTargets(strategy, child, failed.Cause);
                    break;
                }

                var delay = strategy.ComputeBackoff(restart, Random.Shared.NextDouble());
                logger.LogError(failed.Cause, "{Origin} failed; restarting {Child} in {Delay} (restart {Restart})", failed.OriginPath, child.Path, delay, restart);
                foreach (var target in Targets(strategy, child))
                {
                    target.EnqueueSystem(new SystemMessage.Restart(failed.Cause, delay));
                }

                break;
            case SupervisorDirective.Escalate when _parent is not null:
                logger.LogDebug("{Origin} failed; {Path} escalates", failed.OriginPath, Path);
                Fail(failed.Cause, child, failed.OriginPath, duringStart: false);
                break;
            default:
                logger.LogError(failed.Cause, "{Origin} failed; stopping {Child} ({Directive})", failed.OriginPath, child.Path, directive);
                StopTargets(strategy, child, failed.Cause);
                break;
        }
    }

    private IEnumerable<Cell> Targets(SupervisorStrategy strategy, Cell child)
    {
        if (strategy.Scope == SupervisionScope.OneForOne)
        {
            return [child];
        }

        lock (_gate)
        {
            return [.. _children];
        }
    }

    private void StopTargets(SupervisorStrategy strategy, Cell child, Exception cause)
    {
        foreach (var target in Targets(strategy, child))
        {
            target.RequestStop(target == child ? cause : null);
        }
    }

    private async ValueTask RestartAsync(Exception cause, TimeSpan delay)
    {
        if (_stopRequested || _state is not (CellState.Running or CellState.Suspended))
        {
            return;
        }

        _state = CellState.Restarting;
        _suspendedChildren.Clear();
        CancelTimers();
        await StopChildrenAsync().ConfigureAwait(false);
        await StopInstanceAsync().ConfigureAwait(false);
        _restartReason = cause;
        if (delay <= TimeSpan.Zero)
        {
            await StartInstanceAsync(cause).ConfigureAwait(false);
            return;
        }

        var due = new SystemMessage.RestartDue(++_restartGeneration);
        _restartTimer = System.TimeProvider.CreateTimer(
            static state =>
            {
                var (cell, message) = ((Cell, SystemMessage))state!;
                cell.EnqueueSystem(message);
            },
            (this, (SystemMessage)due),
            delay,
            Timeout.InfiniteTimeSpan);
    }

    private ValueTask HandleRestartDueAsync(int generation)
    {
        if (_state != CellState.Restarting || generation != _restartGeneration)
        {
            return ValueTask.CompletedTask;
        }

        DisposeRestartTimer();
        var reason = _restartReason;
        _restartReason = null;
        return StartInstanceAsync(reason);
    }

    private void HandleWatchedTerminated(Terminated signal)
    {
        if (_state is CellState.Stopping or CellState.Terminated)
        {
            return;
        }

        bool watched;
        lock (_gate)
        {
            watched = _watching.Remove((Cell)signal.Actor);
        }

        if (watched)
        {
            _pendingSignals.Enqueue(signal);
        }
    }

    private async ValueTask StopAsync()
    {
        if (_state is CellState.Stopping or CellState.Terminated)
        {
            return;
        }

        _state = CellState.Stopping;
        DisposeRestartTimer();
        CancelTimers();
        CloseMailbox();
        await StopChildrenAsync().ConfigureAwait(false);
        await StopInstanceAsync().ConfigureAwait(false);
        DrainMailbox();
        Exception? cause;
        lock (_gate)
        {
            cause = _stopCause;
        }

        CompleteTermination(cause);
    }

    /// <summary>Stops the children one by one, last spawned first, each with its own subtree, and waits for each.</summary>
    private async ValueTask StopChildrenAsync()
    {
        Cell[] children;
        lock (_gate)
        {
            _acceptingChildren = false;
            children = [.. _children];
        }

        for (var i = children.Length - 1; i >= 0; i--)
        {
            children[i].RequestStop(null);
            await children[i].Terminated.ConfigureAwait(false);
        }
    }

    private void CancelTimers()
    {
        ScheduledTell[] timers;
        lock (_gate)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Cancel();
        }
    }

    private void DisposeRestartTimer()
    {
        _restartTimer?.Dispose();
        _restartTimer = null;
    }

    private void CompleteTermination(Exception? cause)
    {
        var signal = new Terminated(this, cause);
        Cell[] watchers;
        Cell[] watching;
        lock (_gate)
        {
            if (_terminatedSignal is not null)
            {
                return;
            }

            _terminatedSignal = signal;
            _stopRequested = true;
            _acceptingChildren = false;
            watchers = [.. _watchers];
            watching = [.. _watching];
            _watchers.Clear();
            _watching.Clear();
        }

        _state = CellState.Terminated;
        _pendingSignals.Clear();
        _suspendedChildren.Clear();
        foreach (var watcher in watchers)
        {
            watcher.EnqueueSystem(new SystemMessage.WatchedTerminated(signal));
        }

        foreach (var target in watching)
        {
            target.RemoveWatcher(this);
        }

        // The parent forgets the child (freeing its name) before anyone awaiting Terminated resumes.
        _parent?.ChildStopped(this);
        _terminated.TrySetResult(signal);
    }

    private void ForceTerminate(Exception cause)
    {
        try
        {
            _state = CellState.Stopping;
            CloseMailbox();
            DrainMailbox();
            foreach (var child in GetChildren())
            {
                ((Cell)child).RequestStop(null);
            }

            CompleteTermination(cause);
        }
        catch (Exception ex)
        {
            System.RuntimeLogger.LogCritical(ex, "Could not terminate {Path} after a runtime fault", Path);
            _terminated.TrySetException(ex);
        }
    }
}

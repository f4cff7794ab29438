namespace Isg.Actors.Runtime;

/// <summary>A message scheduled with <see cref="IActorContext{TMessage}.ScheduleTellOnce"/>; cancellable until it fires. Thread-safe.</summary>
public sealed class ScheduledTell
{
    private const int Pending = 0;
    private const int Fired = 1;
    private const int Cancelled = 2;

    private readonly Action _deliver;
    private readonly Action<ScheduledTell> _forget;
    private ITimer? _timer;
    private int _state;

    internal ScheduledTell(Action deliver, Action<ScheduledTell> forget)
    {
        _deliver = deliver;
        _forget = forget;
    }

    /// <summary>True until the message is delivered or the tell is cancelled.</summary>
    public bool IsPending => Volatile.Read(ref _state) == Pending;

    /// <summary>Cancels the tell; true when it had not fired yet (the message will not be sent).</summary>
    public bool Cancel()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Pending) != Pending)
        {
            return false;
        }

        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _forget(this);
        return true;
    }

    internal void Start(TimeProvider timeProvider, TimeSpan delay)
    {
        if (delay == TimeSpan.Zero)
        {
            Fire();
            return;
        }

        var timer = timeProvider.CreateTimer(static state => ((ScheduledTell)state!).Fire(), this, delay, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref _timer, timer);

        // The timer may have fired (or the tell been cancelled) before it was stored.
        if (Volatile.Read(ref _state) != Pending)
        {
            Interlocked.Exchange(ref _timer, null)?.Dispose();
        }
    }

    private void Fire()
    {
        if (Interlocked.CompareExchange(ref _state, Fired, Pending) != Pending)
        {
            return;
        }

        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _forget(this);
        _deliver();
    }
}

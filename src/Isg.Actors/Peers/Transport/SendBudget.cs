namespace Isg.Actors.Peers.Transport;

/// <summary>
/// The bytes a connection's send queue may hold: senders acquire the encoded size of their frame before queueing it
/// and the writer releases it once written, so a slow peer holds senders back instead of growing memory. First come,
/// first served; a frame larger than the whole budget is admitted when nothing else is held. Thread-safe.
/// </summary>
internal sealed class SendBudget(long capacity)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _held;
    private Exception? _failure;

    /// <summary>Bytes held by queued frames.</summary>
    public long Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> fit, then holds them. Throws the failure given to <see cref="Fail"/>, or on cancellation.</summary>
    public ValueTask AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Waiter waiter;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return ValueTask.FromException(_failure);
            }

            if (_waiters.Count == 0 && Fits(bytes))
            {
                _held += bytes;
                return ValueTask.CompletedTask;
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        return new ValueTask(WaitAsync(waiter, cancellationToken));
    }

    /// <summary>Gives back <paramref name="bytes"/> acquired earlier and admits waiters that now fit.</summary>
    public void Release(long bytes)
    {
        List<Waiter>? admitted = null;
        lock (_lock)
        {
            _held = Math.Max(0, _held - bytes);
            while (_waiters.First is { } first && Fits(first.Value.Bytes))
            {
                _waiters.RemoveFirst();
                first.Value.Node = null;
                _held += first.Value.Bytes;
                (admitted ??= []).Add(first.Value);
            }
        }

        if (admitted is not null)
        {
            foreach (var waiter in admitted)
            {
                waiter.Completion.TrySetResult();
            }
        }
    }

    /// <summary>Fails every waiter and every later acquire with <paramref name="failure"/> (the connection closed).</summary>
    public void Fail(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        List<Waiter> failed;
        lock (_lock)
        {
            _failure ??= failure;
            failed = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in failed)
        {
            waiter.Node = null;
            waiter.Completion.TrySetException(failure);
        }
    }

    private bool Fits(long bytes) => _held == 0 || _held + bytes <= capacity;

    private async Task WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (budget, waiter) = ((SendBudget, Waiter))state!;
            budget.Cancel(waiter, token);
        }, (this, waiter)).ConfigureAwait(false);
        await waiter.Completion.Task.ConfigureAwait(false);
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        var removed = false;
        lock (_lock)
        {
            if (waiter.Node is { } node)
            {
                _waiters.Remove(node);
                waiter.Node = null;
                removed = true;
            }
        }

        if (removed)
        {
            waiter.Completion.TrySetCanceled(token);
            // The waiter may have been the head that held back smaller ones behind it.
            Release(0);
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}

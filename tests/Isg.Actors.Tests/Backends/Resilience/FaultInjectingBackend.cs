using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Isg.Actors.Backends;

namespace Isg.Actors.Tests.Backends.Resilience;

/// <summary>How <see cref="FaultInjectingBackend"/> misbehaves.</summary>
internal enum Fault
{
    /// <summary>Every call fails (Transient) on its odd-numbered attempts per operation and object: half of all calls fail.</summary>
    FailHalf,

    /// <summary>Puts never return (and ignore their token) until the backend is disposed.</summary>
    HangPuts,

    /// <summary>Gets return the object with one byte flipped.</summary>
    CorruptGets,
}

/// <summary>A decorator that injects one <see cref="Fault"/> into a real backend, for store-level tests.</summary>
internal sealed class FaultInjectingBackend(IStorageBackend inner, Fault fault) : IStorageBackend, IDisposable
{
    private readonly ConcurrentDictionary<(string Operation, string Name), int> _attempts = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _faults;
    private bool _armed = true;

    public string Name => inner.Name;

    public BackendCapabilities Capabilities => inner.Capabilities;

    /// <summary>Whether the fault is injected now (it is from the start).</summary>
    public bool Armed
    {
        get => Volatile.Read(ref _armed);
        set => Volatile.Write(ref _armed, value);
    }

    /// <summary>Faults injected so far.</summary>
    public int Faults => Volatile.Read(ref _faults);

    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (fault == Fault.HangPuts && Armed)
        {
            Interlocked.Increment(ref _faults);
            await _released.Task;
            throw new IOException("released at dispose");
        }

        FailHalf("put", objectName);
        await inner.PutAsync(objectName, data, cancellationToken);
    }

    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        FailHalf("get", objectName);
        var owner = await inner.GetAsync(objectName, cancellationToken);
        if (fault == Fault.CorruptGets && Armed && owner.Memory.Length > 0)
        {
            Interlocked.Increment(ref _faults);
            owner.Memory.Span[owner.Memory.Length / 2] ^= 0x5A;
        }

        return owner;
    }

    public async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        FailHalf("exists", objectName);
        return await inner.ExistsAsync(objectName, cancellationToken);
    }

    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        FailHalf("delete", objectName);
        await inner.DeleteAsync(objectName, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FailHalf("list", string.Empty);
        await foreach (var name in inner.ListAsync(cancellationToken))
        {
            yield return name;
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        FailHalf("flush", string.Empty);
        await inner.FlushAsync(cancellationToken);
    }

    public BackendFailureKind Classify(Exception exception) => inner.Classify(exception);

    public void Dispose()
    {
        _released.TrySetResult();
        (inner as IDisposable)?.Dispose();
    }

    private void FailHalf(string operation, string objectName)
    {
        if (fault == Fault.FailHalf && Armed && _attempts.AddOrUpdate((operation, objectName), 1, (_, n) => n + 1) % 2 == 1)
        {
            Interlocked.Increment(ref _faults);
            throw new BackendException(BackendFailureKind.Transient, Name, $"injected failure of {operation} {objectName}");
        }
    }
}

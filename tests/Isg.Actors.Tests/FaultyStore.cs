using System.Buffers;
using Isg.Actors.Backends;

namespace Isg.Actors.Tests;

/// <summary>A store decorator that counts puts and can fail or hold them, for tests.</summary>
internal sealed class FaultyStore(IStorageBackend inner) : IStorageBackend
{
    private int _puts;

    public string Name => inner.Name;

    public BackendCapabilities Capabilities => inner.Capabilities;

    /// <summary>Puts that reached the inner store.</summary>
    public int Puts => Volatile.Read(ref _puts);

    private int _failuresLeft = int.MaxValue;

    /// <summary>When set, puts throw it instead of storing (at most <see cref="FailuresLeft"/> times).</summary>
    public Exception? FailPuts { get; set; }

    /// <summary>How many more puts <see cref="FailPuts"/> fails.</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>When set, each put waits for it before storing.</summary>
    public Task? HoldPuts { get; set; }

    /// <summary>Completes when a put has started waiting on <see cref="HoldPuts"/>.</summary>
    public TaskCompletionSource PutWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (HoldPuts is { } hold)
        {
            PutWaiting.TrySetResult();
            await hold;
        }

        if (FailPuts is { } failure && Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw failure;
        }

        Interlocked.Increment(ref _puts);
        await inner.PutAsync(objectName, data, cancellationToken);
    }

    public Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken) => inner.GetAsync(objectName, cancellationToken);

    public Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken) => inner.ExistsAsync(objectName, cancellationToken);

    /// <summary>Objects whose delete throws a transient failure.</summary>
    public HashSet<string> FailDeletes { get; } = new(StringComparer.Ordinal);

    public Task DeleteAsync(string objectName, CancellationToken cancellationToken) =>
        FailDeletes.Contains(objectName)
            ? Task.FromException(new BackendException(BackendFailureKind.Transient, Name, $"cannot delete {objectName}", null))
            : inner.DeleteAsync(objectName, cancellationToken);

    public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    /// <summary>When set, flushes throw it (what the puts wrote stays, as after a crash before the next step).</summary>
    public Exception? FailFlush { get; set; }

    public Task FlushAsync(CancellationToken cancellationToken) =>
        FailFlush is { } failure ? Task.FromException(failure) : inner.FlushAsync(cancellationToken);

    public BackendFailureKind Classify(Exception exception) => inner.Classify(exception);
}

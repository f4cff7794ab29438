using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Isg.Actors.Backends;

namespace Isg.Actors.Tests.Backends.Resilience;

/// <summary>
/// An in-memory backend whose calls first run <see cref="Script"/> (which may throw, or return a task to wait for:
/// a hang), for the decorators' unit tests. Counts calls per operation; buffers it hands out record their disposal.
/// IOException classifies as Transient, InvalidDataException as Permanent.
/// </summary>
internal sealed class ScriptedBackend(string name = "scripted", long maxObjectSize = 64L << 20) : IStorageBackend
{
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private int _liveBuffers;

    /// <summary>Run before each call with the operation ("put", "get", ...) and its 1-based number among that operation's calls.</summary>
    public Func<string, int, Task>? Script { get; set; }

    public string Name => name;

    public BackendCapabilities Capabilities { get; } = new(maxObjectSize, AcceptsOnlyVideo: false, IsLocal: false);

    /// <summary>Buffers handed out by Get and not yet disposed.</summary>
    public int LiveBuffers => Volatile.Read(ref _liveBuffers);

    public int Calls(string operation) => _calls.GetValueOrDefault(operation);

    public async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await BeforeAsync("put");
        cancellationToken.ThrowIfCancellationRequested();
        _objects[objectName] = data.ToArray();
    }

    public async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        await BeforeAsync("get");
        cancellationToken.ThrowIfCancellationRequested();
        return _objects.TryGetValue(objectName, out var data)
            ? new TrackedBuffer(this, data)
            : throw new BackendException(BackendFailureKind.NotFound, Name, $"{objectName} not found");
    }

    public async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        await BeforeAsync("exists");
        return _objects.ContainsKey(objectName);
    }

    public async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        await BeforeAsync("delete");
        _objects.TryRemove(objectName, out _);
    }

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await BeforeAsync("list");
        foreach (var key in _objects.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => BeforeAsync("flush");

    public BackendFailureKind Classify(Exception exception) => exception switch
    {
        BackendException backend => backend.Kind,
        IOException => BackendFailureKind.Transient,
        _ => BackendFailureKind.Permanent,
    };

    /// <summary>A buffer this backend hands out, for tests that count disposals.</summary>
    public IMemoryOwner<byte> Buffer(byte[] data) => new TrackedBuffer(this, data);

    private Task BeforeAsync(string operation)
    {
        var call = _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return Script?.Invoke(operation, call) ?? Task.CompletedTask;
    }

    private sealed class TrackedBuffer : IMemoryOwner<byte>
    {
        private readonly ScriptedBackend _owner;
        private byte[]? _data;

        public TrackedBuffer(ScriptedBackend owner, byte[] data)
        {
            _owner = owner;
            _data = data.ToArray();
            Interlocked.Increment(ref owner._liveBuffers);
        }

        public Memory<byte> Memory => _data ?? throw new ObjectDisposedException(nameof(TrackedBuffer));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _data, null) is not null)
            {
                Interlocked.Decrement(ref _owner._liveBuffers);
            }
        }
    }
}

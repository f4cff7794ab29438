using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// Measures every call to a backend: publishes them on the <see cref="MeterName"/> meter (counters
/// <c>isg.backend.calls</c>, <c>isg.backend.failures</c> (tag <c>kind</c>), <c>isg.backend.bytes_out</c>,
/// <c>isg.backend.bytes_in</c> and histogram <c>isg.backend.duration</c> in seconds, all tagged <c>backend</c> and
/// <c>operation</c>) and keeps totals for <see cref="Snapshot"/>. A list counts as one call, timed until it ends.
/// Caller cancellations count as calls, not failures. With a <see cref="BackendStatusFile"/>, every outcome is also
/// recorded there, so that what this process learnt outlives it. Thread-safe.
/// </summary>
public sealed class MeteredBackend : BackendDecorator
{
    /// <summary>The name of the meter the instruments are on.</summary>
    public const string MeterName = "Isg.Backends";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_calls = s_meter.CreateCounter<long>("isg.backend.calls", "{call}", "Calls made to a storage backend");
    private static readonly Counter<long> s_failures = s_meter.CreateCounter<long>("isg.backend.failures", "{call}", "Calls to a storage backend that failed, by failure kind");
    private static readonly Counter<long> s_bytesOut = s_meter.CreateCounter<long>("isg.backend.bytes_out", "By", "Bytes put to a storage backend");
    private static readonly Counter<long> s_bytesIn = s_meter.CreateCounter<long>("isg.backend.bytes_in", "By", "Bytes got from a storage backend");
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>("isg.backend.duration", "s", "Duration of storage backend calls");

    private readonly TimeProvider _time;
    private readonly CircuitBreakingBackend? _circuit;
    private readonly BackendStatusFile? _status;
    private readonly long[] _failuresByKind = new long[Enum.GetValues<BackendFailureKind>().Length];
    private readonly Lock _lock = new();
    private long _calls;
    private long _failures;
    private long _bytesOut;
    private long _bytesIn;
    private long _latencyTicks;
    private BackendFailureKind? _lastFailureKind;
    private DateTimeOffset? _lastFailureAt;
    private DateTimeOffset? _lastSuccessAt;
    private bool _lastCallFailed;

    /// <summary>
    /// Measures <paramref name="inner"/>; <paramref name="circuit"/> (when in the stack below) gives the snapshot's
    /// circuit state; <paramref name="status"/> (when given) persists the outcomes.
    /// </summary>
    public MeteredBackend(IStorageBackend inner, TimeProvider time, CircuitBreakingBackend? circuit = null, BackendStatusFile? status = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _circuit = circuit;
        _status = status;
    }

    /// <summary>Where the outcomes are persisted, if anywhere.</summary>
    public BackendStatusFile? StatusFile => _status;

    /// <summary>The totals so far (a consistent copy).</summary>
    public BackendMetricsSnapshot Snapshot()
    {
        var byKind = new Dictionary<BackendFailureKind, long>();
        foreach (var kind in Enum.GetValues<BackendFailureKind>())
        {
            byKind[kind] = Interlocked.Read(ref _failuresByKind[(int)kind]);
        }

        lock (_lock)
        {
            return new BackendMetricsSnapshot(Name, Interlocked.Read(ref _calls), Interlocked.Read(ref _failures), byKind,
                Interlocked.Read(ref _bytesOut), Interlocked.Read(ref _bytesIn), TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks)),
                _lastFailureKind, _lastFailureAt, _lastSuccessAt, _lastCallFailed, _circuit?.State ?? CircuitState.Closed);
        }
    }

    /// <inheritdoc />
    public override async Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            await Inner.PutAsync(objectName, data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failed("put", started, e, cancellationToken);
            throw;
        }

        Interlocked.Add(ref _bytesOut, data.Length);
        s_bytesOut.Add(data.Length, Tags("put"));
        Succeeded("put", started, bytesOut: data.Length);
    }

    /// <inheritdoc />
    public override async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        IMemoryOwner<byte> owner;
        try
        {
            owner = await Inner.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failed("get", started, e, cancellationToken);
            throw;
        }

        var length = owner.Memory.Length;
        Interlocked.Add(ref _bytesIn, length);
        s_bytesIn.Add(length, Tags("get"));
        Succeeded("get", started, bytesIn: length);
        return owner;
    }

    /// <inheritdoc />
    public override async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var exists = await Inner.ExistsAsync(objectName, cancellationToken).ConfigureAwait(false);
            Succeeded("exists", started);
            return exists;
        }
        catch (Exception e)
        {
            Failed("exists", started, e, cancellationToken);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task DeleteAsync(string objectName, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            await Inner.DeleteAsync(objectName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failed("delete", started, e, cancellationToken);
            throw;
        }

        Succeeded("delete", started);
    }

    /// <inheritdoc />
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Failed("flush", started, e, cancellationToken);
            throw;
        }

        Succeeded("flush", started);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var enumerator = Inner.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var ended = false;
        try
        {
            while (true)
            {
                bool has;
                try
                {
                    has = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    ended = true;
                    Failed("list", started, e, cancellationToken);
                    throw;
                }

                if (!has)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            if (!ended)
            {
                Succeeded("list", started);
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes the outcomes not yet persisted, then disposes the inner backend.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _status?.Flush();
        }

        base.Dispose(disposing);
    }

    /// <summary>Writes the outcomes not yet persisted, then disposes the inner backend.</summary>
    protected override ValueTask DisposeAsyncCore()
    {
        _status?.Flush();
        return base.DisposeAsyncCore();
    }

    private TagList Tags(string operation) => new() { { "backend", Name }, { "operation", operation } };

    private void Succeeded(string operation, long started, long bytesOut = 0, long bytesIn = 0)
    {
        Count(operation, started);
        lock (_lock)
        {
            _lastSuccessAt = _time.GetUtcNow();
            _lastCallFailed = false;
        }

        _status?.Succeeded(bytesOut, bytesIn, _circuit?.State ?? CircuitState.Closed);
    }

    private void Failed(string operation, long started, Exception exception, CancellationToken cancellationToken)
    {
        Count(operation, started);
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            _status?.Cancelled();
            return;
        }

        var kind = Classify(exception);
        Interlocked.Increment(ref _failures);
        Interlocked.Increment(ref _failuresByKind[(int)kind]);
        var tags = Tags(operation);
        tags.Add("kind", kind.ToString());
        s_failures.Add(1, tags);
        lock (_lock)
        {
            _lastFailureKind = kind;
            _lastFailureAt = _time.GetUtcNow();
            _lastCallFailed = true;
        }

        _status?.Failed(kind, exception.Message, _circuit?.State ?? CircuitState.Closed);
    }

    private void Count(string operation, long started)
    {
        var elapsed = _time.GetElapsedTime(started);
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _latencyTicks, elapsed.Ticks);
        var tags = Tags(operation);
        s_calls.Add(1, tags);
        s_duration.Record(elapsed.TotalSeconds, tags);
    }
}

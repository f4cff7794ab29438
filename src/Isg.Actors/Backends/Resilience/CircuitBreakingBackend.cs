using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// Stops calling a backend that keeps failing: after <see cref="CircuitBreakerOptions.ConsecutiveFailures"/> transient
/// failures in a row (or a failure ratio in a sampling window) the circuit opens and every call fails fast with a
/// Transient <see cref="BackendException"/> whose RetryAfter is the rest of the break; after the break one probe
/// call goes through (others still fail fast): success closes the circuit, a transient failure reopens it. Other
/// failures (not found, permanent, unauthorized, quota) show the backend answers and count as successes here;
/// caller cancellations count as nothing. Thread-safe.
/// </summary>
public sealed class CircuitBreakingBackend : BackendDecorator
{
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private CircuitState _state;
    private int _consecutiveFailures;
    private long _openedAt;
    private bool _probing;
    private long _windowStart;
    private int _windowCalls;
    private int _windowFailures;

    /// <summary>A breaker around <paramref name="inner"/> as <paramref name="options"/> say, timing breaks on <paramref name="time"/>.</summary>
    public CircuitBreakingBackend(IStorageBackend inner, CircuitBreakerOptions options, TimeProvider time, ILogger logger)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _time = time;
        _logger = logger;
        _windowStart = time.GetTimestamp();
    }

    /// <summary>The state now (an open circuit whose break is over reads as half-open).</summary>
    public CircuitState State
    {
        get
        {
            lock (_lock)
            {
                return _state == CircuitState.Open && _time.GetElapsedTime(_openedAt) >= _options.BreakDuration ? CircuitState.HalfOpen : _state;
            }
        }
    }

    /// <inheritdoc />
    public override Task PutAsync(string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        RunAsync(static (inner, name, bytes, token) => inner.PutAsync(name, bytes, token), objectName, data, cancellationToken);

    /// <inheritdoc />
    public override async Task<IMemoryOwner<byte>> GetAsync(string objectName, CancellationToken cancellationToken)
    {
        var probe = Enter();
        try
        {
            var owner = await Inner.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
            Record(null, probe, cancellationToken);
            return owner;
        }
        catch (Exception e)
        {
            Record(e, probe, cancellationToken);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<bool> ExistsAsync(string objectName, CancellationToken cancellationToken)
    {
        var probe = Enter();
        try
        {
            var exists = await Inner.ExistsAsync(objectName, cancellationToken).ConfigureAwait(false);
            Record(null, probe, cancellationToken);
            return exists;
        }
        catch (Exception e)
        {
            Record(e, probe, cancellationToken);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task DeleteAsync(string objectName, CancellationToken cancellationToken) =>
        RunAsync(static (inner, name, _, token) => inner.DeleteAsync(name, token), objectName, default, cancellationToken);

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        RunAsync(static (inner, _, _, token) => inner.FlushAsync(token), string.Empty, default, cancellationToken);

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var probe = Enter();
        var recorded = false;
        var enumerator = Inner.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                    recorded = true;
                    Record(e, probe, cancellationToken);
                    throw;
                }

                if (!has)
                {
                    break;
                }

                yield return enumerator.Current;
            }

            recorded = true;
            Record(null, probe, cancellationToken);
        }
        finally
        {
            if (!recorded)
            {
                // The caller stopped early: the probe (if this was one) proved nothing either way.
                Release(probe);
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Func<IStorageBackend, string, ReadOnlyMemory<byte>, CancellationToken, Task> call, string objectName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var probe = Enter();
        try
        {
            await call(Inner, objectName, data, cancellationToken).ConfigureAwait(false);
            Record(null, probe, cancellationToken);
        }
        catch (Exception e)
        {
            Record(e, probe, cancellationToken);
            throw;
        }
    }

    // Returns whether this call is the half-open probe; throws when the circuit is open.
    private bool Enter()
    {
        TimeSpan remaining;
        lock (_lock)
        {
            switch (_state)
            {
                case CircuitState.Closed:
                    return false;
                case CircuitState.Open:
                    remaining = _options.BreakDuration - _time.GetElapsedTime(_openedAt);
                    if (remaining > TimeSpan.Zero)
                    {
                        break;
                    }

                    _state = CircuitState.HalfOpen;
                    _probing = true;
                    return true;
                default:
                    if (!_probing)
                    {
                        _probing = true;
                        return true;
                    }

                    remaining = TimeSpan.Zero;
                    break;
            }
        }

        throw new BackendException(BackendFailureKind.Transient, Name,
            remaining > TimeSpan.Zero ? $"circuit open after repeated failures; next probe in {remaining.TotalSeconds:0.#} s" : "circuit half-open; a probe call is in progress")
        {
            RetryAfter = remaining > TimeSpan.Zero ? remaining : null,
        };
    }

    private void Release(bool probe)
    {
        if (probe)
        {
            lock (_lock)
            {
                _probing = false;
            }
        }
    }

    private void Record(Exception? failure, bool probe, CancellationToken cancellationToken)
    {
        if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            Release(probe);
            return;
        }

        var transient = failure is not null && Classify(failure) == BackendFailureKind.Transient;
        CircuitState? changed = null;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (probe)
            {
                _probing = false;
                changed = transient ? Open(now) : Close(now);
            }
            else if (_state == CircuitState.Closed)
            {
                if (_time.GetElapsedTime(_windowStart, now) >= _options.SamplingDuration)
                {
                    _windowStart = now;
                    _windowCalls = 0;
                    _windowFailures = 0;
                }

                _windowCalls++;
                if (transient)
                {
                    _consecutiveFailures++;
                    _windowFailures++;
                    var ratioTripped = _options.FailureRatio > 0 && _windowCalls >= _options.MinimumThroughput
                        && _windowFailures >= _options.FailureRatio * _windowCalls;
                    if (_consecutiveFailures >= _options.ConsecutiveFailures || ratioTripped)
                    {
                        changed = Open(now);
                    }
                }
                else
                {
                    _consecutiveFailures = 0;
                }
            }
        }

        switch (changed)
        {
            case CircuitState.Open:
                _logger.LogWarning("{Backend}: circuit opened for {Break} after transient failures ({Message})", Name, _options.BreakDuration, failure?.Message);
                break;
            case CircuitState.Closed:
                _logger.LogInformation("{Backend}: circuit closed; the probe call succeeded", Name);
                break;
        }
    }

    private CircuitState Open(long now)
    {
        _state = CircuitState.Open;
        _openedAt = now;
        return CircuitState.Open;
    }

    private CircuitState Close(long now)
    {
        _state = CircuitState.Closed;
        _consecutiveFailures = 0;
        _windowStart = now;
        _windowCalls = 0;
        _windowFailures = 0;
        return CircuitState.Closed;
    }
}

using Microsoft.Extensions.Logging;

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// Builds the standard decorator stack around a platform backend, outermost first: metrics
/// (<see cref="MeteredBackend"/>, so it counts what callers see) → circuit breaker → retry (each attempt with its
/// timeout) → rate limit (so every attempt, retries included, takes a token) → the backend.
/// </summary>
public static class BackendStack
{
    /// <summary>
    /// Wraps <paramref name="inner"/> (which the stack then owns) as <paramref name="options"/> say, timing everything on
    /// <paramref name="time"/>. Throws <see cref="ArgumentException"/> for invalid options.
    /// </summary>
    public static MeteredBackend Wrap(IStorageBackend inner, BackendStackOptions options, TimeProvider time, ILogger logger) =>
        Wrap(inner, options, time, logger, status: null);

    /// <summary>As <see cref="Wrap(IStorageBackend, BackendStackOptions, TimeProvider, ILogger)"/>, persisting the outcomes in <paramref name="status"/> when given.</summary>
    public static MeteredBackend Wrap(IStorageBackend inner, BackendStackOptions options, TimeProvider time, ILogger logger, BackendStatusFile? status)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        IStorageBackend backend = options.RateLimit.IsLimited ? new RateLimitedBackend(inner, options.RateLimit, time) : inner;
        backend = new RetryingBackend(backend, options.Retry, time, logger);
        CircuitBreakingBackend? circuit = null;
        if (options.CircuitBreaker.Enabled)
        {
            backend = circuit = new CircuitBreakingBackend(backend, options.CircuitBreaker, time, logger);
        }

        return new MeteredBackend(backend, time, circuit, status);
    }

    /// <summary>The metrics of <paramref name="backend"/> when it is a wrapped stack (else null), for this process (the persisted ones: <see cref="BackendStatusFile"/>).</summary>
    public static BackendMetricsSnapshot? Metrics(IStorageBackend backend) => (backend as MeteredBackend)?.Snapshot();
}

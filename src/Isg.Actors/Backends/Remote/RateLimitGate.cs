using System.Collections.Concurrent;

namespace Isg.Actors.Backends.Remote;

/// <summary>
/// Pauses a platform client's requests while the platform said a rate-limit bucket is empty (Discord's
/// X-RateLimit-Remaining: 0 with X-RateLimit-Reset-After, a 429's retry_after): requests on a paused bucket wait for
/// it to reopen, or fail Transient with <see cref="BackendException.RetryAfter"/> when the wait would exceed the
/// configured maximum. Pacing by the platform's own numbers, not a retry. Thread-safe.
/// </summary>
public sealed class RateLimitGate(string backend, TimeProvider timeProvider, TimeSpan maxWait)
{
    /// <summary>The bucket every request also waits for (a platform-wide limit).</summary>
    public const string Global = "global";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _reopenAt = new(StringComparer.Ordinal);

    /// <summary>Waits until <paramref name="bucket"/> and the global bucket are open; see the class summary.</summary>
    public Task WaitAsync(string bucket, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var reopen = DateTimeOffset.MinValue;
        if (_reopenAt.TryGetValue(bucket, out var at))
        {
            reopen = at;
        }

        if (_reopenAt.TryGetValue(Global, out var global) && global > reopen)
        {
            reopen = global;
        }

        var wait = reopen - now;
        if (wait <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        if (wait > maxWait)
        {
            return Task.FromException(new BackendException(BackendFailureKind.Transient, backend, $"rate limited for another {wait.TotalSeconds:0.###} s")
            {
                RetryAfter = wait,
            });
        }

        return Task.Delay(wait, timeProvider, cancellationToken);
    }

    /// <summary>Closes <paramref name="bucket"/> for <paramref name="duration"/> from now (a later reopening already recorded wins).</summary>
    public void Pause(string bucket, TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var until = timeProvider.GetUtcNow() + duration;
        _reopenAt.AddOrUpdate(bucket, until, (_, current) => current > until ? current : until);
    }
}

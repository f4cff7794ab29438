namespace Isg.Actors.Backends;

/// <summary>How a backend failure should be handled by the decorators around a backend.</summary>
public enum BackendFailureKind
{
    /// <summary>May succeed if retried later (network, throttling, a busy server).</summary>
    Transient,

    /// <summary>Will fail the same way again (disk full, object too large, bad request): do not retry.</summary>
    Permanent,

    /// <summary>The object does not exist.</summary>
    NotFound,

    /// <summary>Credentials are missing, expired or lack permission: retrying needs new credentials.</summary>
    Unauthorized,

    /// <summary>The platform's quota is used up: retry after it resets (<see cref="BackendException.RetryAfter"/> when known).</summary>
    QuotaExceeded,
}

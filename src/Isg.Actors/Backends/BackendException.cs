namespace Isg.Actors.Backends;

/// <summary>A classified backend failure: which backend and how to handle it (<see cref="Kind"/>).</summary>
public sealed class BackendException : Exception
{
    /// <summary>Creates the exception; <paramref name="backend"/> is the backend's <see cref="IStorageBackend.Name"/>.</summary>
    public BackendException(BackendFailureKind kind, string backend, string message, Exception? innerException = null)
        : base($"{backend}: {message}", innerException)
    {
        Kind = kind;
        Backend = backend;
    }

    /// <summary>How to handle it.</summary>
    public BackendFailureKind Kind { get; }

    /// <summary>The backend that failed.</summary>
    public string Backend { get; }

    /// <summary>How long the platform asked us to wait before trying again (HTTP Retry-After, a quota reset), if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

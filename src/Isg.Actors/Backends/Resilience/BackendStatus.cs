namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// What the processes that used a platform backend learnt about it, as persisted in its state directory
/// (<see cref="BackendStatusFile"/>) so that <c>isg backend list</c> shows it after they exit: the last success, the last
/// failure (kind, time, message), whether the last call failed, the circuit breaker's state when last seen, and the
/// calls, failures and bytes put and got over every process's lifetime. Times are UTC.
/// </summary>
public sealed record BackendStatus
{
    /// <summary>When a call last succeeded.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>When a call last failed (caller cancellations are not failures).</summary>
    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>The last failure's kind.</summary>
    public BackendFailureKind? LastFailureKind { get; init; }

    /// <summary>The last failure's message (the backends' own words: never credentials), at most 300 characters.</summary>
    public string? LastFailure { get; init; }

    /// <summary>Whether the last call to end failed.</summary>
    public bool LastCallFailed { get; init; }

    /// <summary>The circuit breaker's state when last seen, and when it was seen so (<see cref="CircuitSeenAt"/>).</summary>
    public CircuitState Circuit { get; init; }

    /// <summary>When <see cref="Circuit"/> was seen.</summary>
    public DateTimeOffset? CircuitSeenAt { get; init; }

    /// <summary>Calls made, over every process.</summary>
    public long Calls { get; init; }

    /// <summary>Calls failed, over every process.</summary>
    public long Failures { get; init; }

    /// <summary>Bytes put (uploaded).</summary>
    public long BytesOut { get; init; }

    /// <summary>Bytes got (downloaded).</summary>
    public long BytesIn { get; init; }

    /// <summary>When this was last written.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// A one-word health, as <see cref="BackendMetricsSnapshot.Health"/>: "open" while the circuit was last seen open or
    /// half-open, "failing" when the last call failed, "ok" after a success, "unused" before any call.
    /// </summary>
    public string Health =>
        Circuit != CircuitState.Closed ? "open"
        : LastCallFailed ? "failing"
        : LastSuccessAt is not null ? "ok"
        : "unused";
}

namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// What a <see cref="MeteredBackend"/> has seen since it was opened in this process (what outlives the process is its
/// <see cref="BackendStatusFile"/>): calls
/// made and failed (by kind; caller cancellations are neither), bytes written (<paramref name="BytesOut"/>, puts) and
/// read (<paramref name="BytesIn"/>, gets), total call time, the last failure's kind and time, the last success's time,
/// whether the last call to end failed (<paramref name="LastCallFailed"/>), and the circuit's state.
/// </summary>
public sealed record BackendMetricsSnapshot(
    string Backend,
    long Calls,
    long Failures,
    IReadOnlyDictionary<BackendFailureKind, long> FailuresByKind,
    long BytesOut,
    long BytesIn,
    TimeSpan TotalLatency,
    BackendFailureKind? LastFailureKind,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset? LastSuccessAt,
    bool LastCallFailed,
    CircuitState Circuit)
{
    /// <summary>The mean time per call, or zero before the first.</summary>
    public TimeSpan MeanLatency => Calls == 0 ? TimeSpan.Zero : TotalLatency / Calls;

    /// <summary>
    /// A one-word health: "open" while the circuit is open or half-open, "failing" when the last outcome was a
    /// failure, "ok" after a success, "unused" before any call.
    /// </summary>
    public string Health =>
        Circuit != CircuitState.Closed ? "open"
        : LastCallFailed ? "failing"
        : LastSuccessAt is not null ? "ok"
        : "unused";
}

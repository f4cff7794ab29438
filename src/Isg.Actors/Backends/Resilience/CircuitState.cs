namespace Isg.Actors.Backends.Resilience;

/// <summary>The state of a <see cref="CircuitBreakingBackend"/>.</summary>
public enum CircuitState
{
    /// <summary>Calls go through; failures are counted.</summary>
    Closed,

    /// <summary>Calls fail fast with a transient <see cref="BackendException"/> until the break duration has passed.</summary>
    Open,

    /// <summary>The break is over: one probe call goes through; its outcome closes or reopens the circuit.</summary>
    HalfOpen,
}

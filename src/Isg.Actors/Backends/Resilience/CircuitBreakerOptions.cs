namespace Isg.Actors.Backends.Resilience;

/// <summary>
/// When <see cref="CircuitBreakingBackend"/> opens: after <see cref="ConsecutiveFailures"/> transient failures in a
/// row, or when at least <see cref="FailureRatio"/> of the calls in the current <see cref="SamplingDuration"/> failed
/// transiently (once there were <see cref="MinimumThroughput"/> of them); it stays open for
/// <see cref="BreakDuration"/>, then lets one probe through.
/// </summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>Whether the breaker is in the stack at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Transient failures in a row that open the circuit.</summary>
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>The share of failed calls in a sampling window that opens the circuit; 0 disables the ratio rule.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Calls a sampling window needs before the ratio rule applies.</summary>
    public int MinimumThroughput { get; init; } = 20;

    /// <summary>The length of a sampling window.</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the circuit stays open before a probe.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ConsecutiveFailures, 1, nameof(ConsecutiveFailures));
        if (double.IsNaN(FailureRatio) || FailureRatio < 0 || FailureRatio > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FailureRatio), FailureRatio, "the failure ratio must be between 0 and 1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumThroughput, 1, nameof(MinimumThroughput));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SamplingDuration, TimeSpan.Zero, nameof(SamplingDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BreakDuration, TimeSpan.Zero, nameof(BreakDuration));
    }
}

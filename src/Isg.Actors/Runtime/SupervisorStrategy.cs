namespace Isg.Actors.Runtime;

/// <summary>
/// How a supervisor treats a child that threw: a decider picks the directive per exception; restarts are limited to
/// <see cref="MaxRetries"/> within <see cref="Window"/> (one more failure stops the child) and delayed by an exponential
/// backoff from <see cref="MinBackoff"/> to <see cref="MaxBackoff"/>, stretched by up to <see cref="RandomFactor"/>.
/// Timing uses the system's <see cref="TimeProvider"/>. Immutable; share freely.
/// </summary>
public sealed record SupervisorStrategy
{
    private static readonly Func<Exception, SupervisorDirective> s_alwaysRestart = _ => SupervisorDirective.Restart;

    /// <summary>OneForOne, Restart on any exception, 10 restarts per minute, backoff 100 ms to 10 s with 20 % jitter.</summary>
    public static SupervisorStrategy Default { get; } = new();

    /// <summary>OneForOne, Stop on any exception.</summary>
    public static SupervisorStrategy Stopping { get; } = new() { Decider = _ => SupervisorDirective.Stop };

    /// <summary>Which children a Restart or Stop applies to.</summary>
    public SupervisionScope Scope { get; init; } = SupervisionScope.OneForOne;

    /// <summary>Maps the child's exception to a directive. Runs on the supervisor's thread; must not throw (a throw stops the child).</summary>
    public Func<Exception, SupervisorDirective> Decider { get; init; } = s_alwaysRestart;

    /// <summary>Restarts allowed within <see cref="Window"/>; the next failure stops the child. 0 stops on the first failure.</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>The period over which restarts are counted; it starts at the first failure after a quiet window.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before the first restart in a window; zero restarts at once.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of the exponential part of the delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Jitter: each delay is multiplied by a uniform factor in [1, 1 + RandomFactor). 0 makes delays exact.</summary>
    public double RandomFactor { get; init; } = 0.2;

    /// <summary>A one-for-one strategy with <paramref name="decider"/> and default limits.</summary>
    public static SupervisorStrategy OneForOne(Func<Exception, SupervisorDirective> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        return new SupervisorStrategy { Decider = decider };
    }

    /// <summary>An all-for-one strategy with <paramref name="decider"/> and default limits.</summary>
    public static SupervisorStrategy AllForOne(Func<Exception, SupervisorDirective> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        return new SupervisorStrategy { Scope = SupervisionScope.AllForOne, Decider = decider };
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the strategy is unusable (negative limits, Min &gt; Max, ...).</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Decider);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff);
        if (!(RandomFactor >= 0 && double.IsFinite(RandomFactor)))
        {
            throw new ArgumentOutOfRangeException(nameof(RandomFactor), RandomFactor, "Must be finite and non-negative.");
        }

        if (!Enum.IsDefined(Scope))
        {
            throw new ArgumentOutOfRangeException(nameof(Scope), Scope, "Unknown supervision scope.");
        }
    }

    /// <summary>
    /// The delay before restart number <paramref name="restart"/> (1-based) in the current window:
    /// min(MaxBackoff, MinBackoff * 2^(restart-1)) * (1 + RandomFactor * <paramref name="sample"/>), sample in [0, 1).
    /// </summary>
    internal TimeSpan ComputeBackoff(int restart, double sample)
    {
        if (MinBackoff == TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(Math.Max(restart, 1) - 1, 62);
        var ticks = Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * Math.Pow(2, exponent));
        var jittered = ticks * (1 + (RandomFactor * Math.Clamp(sample, 0, 1)));
        return TimeSpan.FromTicks((long)Math.Min(jittered, TimeSpan.MaxValue.Ticks / 2));
    }
}

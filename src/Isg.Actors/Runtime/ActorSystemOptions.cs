using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Runtime;

/// <summary>Options of an <see cref="ActorSystem"/>.</summary>
public sealed record ActorSystemOptions
{
    /// <summary>Clock for timers, backoff, ask timeouts and restart windows; tests pass a manual one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Source of the runtime's and the actors' loggers.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>How failures of top-level actors are handled (Escalate there means Stop).</summary>
    public SupervisorStrategy GuardianStrategy { get; init; } = SupervisorStrategy.Default;

    /// <summary>At most one dead-letter summary is logged at Warning per interval; each dead letter is logged at Debug.</summary>
    public TimeSpan DeadLetterSummaryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many user messages an actor handles before yielding its thread to other actors.</summary>
    public int Throughput { get; init; } = 32;
}

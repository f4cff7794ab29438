namespace Isg.Actors.Healing;

/// <summary>
/// How the healer runs. <see cref="Periodic"/>: scrub and repair on its own every <c>scrub.interval</c> (the node
/// host); otherwise only when asked (CLI processes). <see cref="PollInterval"/>: how often it looks for a due pass or
/// a repair request (<c>isg repair</c> from another process). <see cref="Parallelism"/>: shards verified at once
/// (0: two per core). <see cref="PageSize"/>: shards per catalogue record and cursor step.
/// </summary>
public sealed record HealerOptions(bool Periodic = false, TimeSpan? PollInterval = null, int Parallelism = 0, int PageSize = Scrubber.PageSize)
{
    /// <summary>The effective poll interval (default one minute).</summary>
    public TimeSpan EffectivePollInterval => PollInterval ?? TimeSpan.FromMinutes(1);

    /// <summary>The effective parallelism.</summary>
    public int EffectiveParallelism => Parallelism > 0 ? Parallelism : 2 * Math.Max(1, Environment.ProcessorCount);
}

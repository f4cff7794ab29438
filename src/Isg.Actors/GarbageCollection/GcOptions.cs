namespace Isg.Actors.GarbageCollection;

/// <summary>
/// How a collection runs. <paramref name="DryRun"/>: plan and report, delete nothing, take no lock.
/// <paramref name="Wait"/>: how long to wait for running adds before giving up as busy (null: <see cref="DefaultWait"/>).
/// <paramref name="Policy"/>: the stripe rules (null: the defaults).
/// </summary>
public sealed record GcOptions(bool DryRun = false, TimeSpan? Wait = null, GcPolicy? Policy = null)
{
    /// <summary>How long a collection waits for running adds by default.</summary>
    public static TimeSpan DefaultWait { get; } = TimeSpan.FromSeconds(60);

    /// <summary>How young an orphan on a platform is kept by default: an hour.</summary>
    public static TimeSpan DefaultOrphanGrace { get; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Orphans on a platform backend (not on this machine) written less than this long ago are kept for a later run:
    /// an upload that just completed may be about to be recorded (null: <see cref="DefaultOrphanGrace"/>). Backends
    /// that cannot tell an object's age are not held back.
    /// </summary>
    public TimeSpan? OrphanGrace { get; init; }

    /// <summary>The orphan grace period to use.</summary>
    public TimeSpan EffectiveOrphanGrace => OrphanGrace ?? DefaultOrphanGrace;

    /// <summary>The wait to use.</summary>
    public TimeSpan EffectiveWait => Wait ?? DefaultWait;

    /// <summary>The policy to use.</summary>
    public GcPolicy EffectivePolicy => Policy ?? new GcPolicy();
}

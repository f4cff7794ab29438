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

    /// <summary>The wait to use.</summary>
    public TimeSpan EffectiveWait => Wait ?? DefaultWait;

    /// <summary>The policy to use.</summary>
    public GcPolicy EffectivePolicy => Policy ?? new GcPolicy();
}

namespace Isg.Actors.Backends;

/// <summary>
/// Where a platform's quota stands: <paramref name="Used"/> of <paramref name="Limit"/> units of <paramref name="Unit"/>
/// spent in the current period, which ends at <paramref name="ResetsAt"/> (null: a standing limit).
/// </summary>
public sealed record BackendQuotaState(string Unit, long Limit, long Used, DateTimeOffset? ResetsAt)
{
    /// <summary>Units left in the period (never negative).</summary>
    public long Left => Math.Max(0, Limit - Used);
}

namespace Isg.Actors.Backends;

/// <summary>
/// A platform's allowance: <paramref name="Limit"/> units of <paramref name="Unit"/> (e.g. "bytes", "api-units")
/// per <paramref name="Period"/> (null: a standing limit, like storage space), and what each put costs.
/// </summary>
public sealed record BackendQuota(string Unit, long Limit, TimeSpan? Period, long CostPerPut);

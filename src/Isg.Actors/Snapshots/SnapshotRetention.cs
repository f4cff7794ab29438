using Isg.Actors.Catalog;

namespace Isg.Actors.Snapshots;

/// <summary>Decides which snapshots a prune keeps. Pure: no catalogue access.</summary>
public static class SnapshotRetention
{
    /// <summary>
    /// Splits <paramref name="snapshots"/> by <paramref name="policy"/>. "Newest" orders by creation time, then id.
    /// Days are calendar days in <paramref name="zone"/>. The newest snapshot is always kept. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a negative count and <see cref="ArgumentException"/> when the
    /// policy would keep nothing.
    /// </summary>
    public static RetentionPlan Plan(IReadOnlyList<SnapshotInfo> snapshots, RetentionPolicy policy, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfNegative(policy.KeepLast, nameof(policy));
        ArgumentOutOfRangeException.ThrowIfNegative(policy.KeepDaily, nameof(policy));
        if (policy.KeepLast == 0 && policy.KeepDaily == 0)
        {
            throw new ArgumentException("the policy keeps nothing: give --keep-last or --keep-daily a positive count", nameof(policy));
        }

        var newestFirst = snapshots.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).ToList();
        var keep = new List<SnapshotInfo>();
        var remove = new List<SnapshotInfo>();
        var days = new HashSet<DateOnly>();
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var snapshot = newestFirst[i];
            var kept = i < policy.KeepLast;
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(snapshot.CreatedAt, zone).DateTime);

            // The first snapshot met on a day is that day's newest.
            if (days.Count < policy.KeepDaily && days.Add(day))
            {
                kept = true;
            }

            (kept ? keep : remove).Add(snapshot);
        }

        return new RetentionPlan(keep, remove);
    }
}

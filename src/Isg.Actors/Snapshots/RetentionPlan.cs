using Isg.Actors.Catalog;

namespace Isg.Actors.Snapshots;

/// <summary>A retention decision: the snapshots kept and those to remove, each newest first.</summary>
public sealed record RetentionPlan(IReadOnlyList<SnapshotInfo> Keep, IReadOnlyList<SnapshotInfo> Remove);

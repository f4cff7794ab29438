using Isg.Actors.Catalog;

namespace Isg.Actors.Snapshots;

/// <summary>
/// How <paramref name="To"/> (null: the live catalogue) differs from <paramref name="From"/>: changed entries in
/// path order, and the blocks only one side references.
/// </summary>
public sealed record SnapshotDiff(SnapshotInfo From, SnapshotInfo? To, IReadOnlyList<EntryChange> Changes, BlockSetChange Blocks);

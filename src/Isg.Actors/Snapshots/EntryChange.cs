using Isg.Actors.Catalog;

namespace Isg.Actors.Snapshots;

/// <summary>One changed path: its entry before (null when added) and after (null when removed).</summary>
public sealed record EntryChange(EntryChangeKind Kind, string Path, FileEntry? Before, FileEntry? After);

namespace Isg.Actors.Snapshots;

/// <summary>
/// Which snapshots prune keeps (restic's rules): the <paramref name="KeepLast"/> newest, and the newest of each
/// of the last <paramref name="KeepDaily"/> days that have snapshots. At least one must be positive.
/// </summary>
public sealed record RetentionPolicy(int KeepLast, int KeepDaily);

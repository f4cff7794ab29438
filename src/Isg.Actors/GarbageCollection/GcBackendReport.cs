namespace Isg.Actors.GarbageCollection;

/// <summary>
/// One backend's share of a collection: catalogued objects deleted (blocks and parity) and their bytes, orphans
/// (objects the catalogue did not know; their size is not known) and deletes that failed (left for the next run).
/// </summary>
public sealed record GcBackendReport(string Backend, int ObjectsDeleted, long BytesDeleted, int OrphansDeleted, int DeleteFailures)
{
    /// <summary>Orphans kept because they were written within the grace period (<see cref="GcOptions.OrphanGrace"/>).</summary>
    public int OrphansDeferred { get; init; }

    /// <summary>Bytes a local store's pack compaction gave back (dead space that deletes had left in its packs).</summary>
    public long PackBytesReclaimed { get; init; }
}

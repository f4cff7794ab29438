namespace Isg.Actors.GarbageCollection;

/// <summary>Where a collection is, as reported to its progress callback.</summary>
public enum GcPhase
{
    /// <summary>Listing the objects on every backend (no lock held).</summary>
    Listing,
    /// <summary>Finding the listed objects the catalogue does not know (a dry run also reads candidates and plans).</summary>
    Planning,
    /// <summary>An add holds the repository; waiting for it to finish.</summary>
    WaitingForLock,
    /// <summary>Holding the exclusive lock: planning, re-checking, repacking, forgetting rows and deleting objects.</summary>
    Sweeping,
    /// <summary>Done; the report follows.</summary>
    Done,
}

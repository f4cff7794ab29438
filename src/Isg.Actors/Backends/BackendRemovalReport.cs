namespace Isg.Actors.Backends;

/// <summary>
/// What `backend remove` did: shards (data blocks and parity) copied off the backend (<paramref name="Copied"/>) or
/// rebuilt from their stripes onto other backends (<paramref name="Rebuilt"/>), the chunk rows forgotten, and parity
/// shards dropped because their stripe could not rebuild them (<paramref name="DroppedParity"/>: those stripes have
/// less redundancy until repaired).
/// </summary>
public sealed record BackendRemovalReport(string Name, int Copied, int Rebuilt, long Chunks, int DroppedParity);

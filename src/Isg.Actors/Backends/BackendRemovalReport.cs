namespace Isg.Actors.Backends;

/// <summary>
/// What `backend remove` did: blocks copied off the backend (<paramref name="Copied"/>), blocks rebuilt from their
/// stripes onto other backends (<paramref name="Rebuilt"/>), and the data and parity chunk rows forgotten (parity
/// shards dropped leave their stripes with less redundancy until repaired).
/// </summary>
public sealed record BackendRemovalReport(string Name, int Copied, int Rebuilt, long DataChunks, long ParityChunks);

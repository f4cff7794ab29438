namespace Isg.Actors.Catalog;

/// <summary>What forgetting a backend dropped: its data chunks (each with a copy elsewhere by then) and its parity shards (their stripes are degraded until repaired).</summary>
public sealed record BackendRemoval(long DataChunks, long ParityChunks);

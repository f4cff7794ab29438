namespace Isg.Actors.Healing;

/// <summary>What a health event reports.</summary>
public enum HealthEventKind
{
    /// <summary>A scrub pass began.</summary>
    PassStarted,
    /// <summary>A scrub pass ended (completed or stopped).</summary>
    PassFinished,
    /// <summary>A shard's object is not on its backend.</summary>
    ShardMissing,
    /// <summary>A shard's object is damaged (length, authentication or hash).</summary>
    ShardCorrupt,
    /// <summary>A missing or corrupt shard was rewritten and verifies again.</summary>
    ShardRepaired,
    /// <summary>Too many shards of a stripe (or every copy of a block) are bad: the data cannot be rebuilt.</summary>
    StripeLost,
    /// <summary>A repair pass put referenced blocks that were in no stripe into new stripes with parity.</summary>
    BlocksProtected,
    /// <summary>A repair pass rewrote catalogue entries' stored leaf hashes that were missing or did not match their entries.</summary>
    LeafHashesRewritten,
}

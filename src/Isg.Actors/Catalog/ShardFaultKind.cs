namespace Isg.Actors.Catalog;

/// <summary>What a scrub found wrong with a shard (the numbers are stored in <c>shard_faults.kind</c>).</summary>
public enum ShardFaultKind
{
    /// <summary>The object is not on its backend.</summary>
    Missing = 1,
    /// <summary>The object is there but its length, authentication tag or hash is wrong.</summary>
    Corrupt = 2,
}

namespace Isg.Node.Bench;

/// <summary>What the shards of an erasure benchmark live in.</summary>
public enum ErasureBenchBuffers
{
    /// <summary>64-byte aligned native memory (<see cref="Isg.Protocol.Erasure.AlignedMemory"/>), as the C harness's posix_memalign.</summary>
    Aligned = 0,

    /// <summary>One byte[] per shard on the GC heap (8-byte aligned at best).</summary>
    Array = 1,
}

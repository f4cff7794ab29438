using Isg.Protocol.Erasure;

namespace Isg.Node.Bench;

/// <summary>One erasure benchmark: an engine, k + m, a shard length in bytes, the stripe source and the buffers.</summary>
public sealed record ErasureBenchCase(
    ErasureImplementation Implementation,
    int DataShards,
    int ParityShards,
    int ShardBytes,
    ErasureBenchMode Mode,
    ErasureBenchBuffers Buffers);

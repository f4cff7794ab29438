namespace Isg.Node.Bench;

/// <summary>
/// The measured throughput of one <see cref="ErasureBenchCase"/>: payload GB/s (k × shard bytes per second, 10^9),
/// the median over the trials; reconstruct rebuilds m lost data shards from the next k shards.
/// </summary>
public sealed record ErasureBenchResult(
    ErasureBenchCase Case,
    string Engine,
    int Stripes,
    double EncodeGigabytesPerSecond,
    double ReconstructGigabytesPerSecond,
    long EncodeIterations,
    long ReconstructIterations);

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Isg.Protocol.Chunking;

namespace Isg.Benchmarks;

/// <summary>Chunks a 64 MiB random buffer end to end, as ingest does with a buffer of at least MaxSize bytes.</summary>
[Config(typeof(ChunkerBenchmarksConfig))]
[MemoryDiagnoser]
public class ChunkerBenchmarks
{
    public const int BufferSize = 64 * 1024 * 1024;

    private byte[] _data = [];
    private FastCdcChunker _fastCdc = null!;
    private FastCdcChunker _fastCdcKeyed = null!;
    private FixedSizeChunker _fixed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[BufferSize];
        new Random(20240601).NextBytes(_data);
        _fastCdc = new FastCdcChunker(ChunkerOptions.Default, GearTable.Default);
        var seed = new byte[GearTable.SeedLength];
        new Random(7).NextBytes(seed);
        _fastCdcKeyed = new FastCdcChunker(ChunkerOptions.Default, GearTable.FromSeed(seed));
        _fixed = new FixedSizeChunker(1024 * 1024);
    }

    [Benchmark(Baseline = true)]
    public int FastCdcDefault() => ChunkAll(_fastCdc);

    [Benchmark]
    public int FastCdcKeyed() => ChunkAll(_fastCdcKeyed);

    [Benchmark]
    public int FixedSize() => ChunkAll(_fixed);

    private int ChunkAll(IChunker chunker)
    {
        ReadOnlySpan<byte> rest = _data;
        var chunks = 0;
        while (!rest.IsEmpty)
        {
            var length = chunker.FindCutPoint(rest, isFinal: true);
            rest = rest[length..];
            chunks++;
        }

        return chunks;
    }

    private sealed class ChunkerBenchmarksConfig : ManualConfig
    {
        public ChunkerBenchmarksConfig() => AddColumn(new ThroughputColumn(BufferSize));
    }
}

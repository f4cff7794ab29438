using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Isg.Protocol.Erasure;
using Isg.TestKit;

namespace Isg.Benchmarks;

/// <summary>Reed-Solomon encode and reconstruct (all m lost shards are data shards), ISA-L against the managed codec.</summary>
[MemoryDiagnoser]
[Config(typeof(ErasureConfig))]
public class ErasureBenchmarks
{
    private ReedSolomonCodec _codec = null!;
    private ReadOnlyMemory<byte>[] _data = [];
    private Memory<byte>[] _parity = [];
    private Memory<byte>[] _shards = [];
    private bool[] _present = [];

    [Params(ErasureImplementation.Isal, ErasureImplementation.Managed)]
    public ErasureImplementation Implementation { get; set; }

    [Params("10+4", "4+2")]
    public string Shape { get; set; } = "10+4";

    [Params(64 * 1024, 1024 * 1024)]
    public int ShardLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('+');
        var k = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        var m = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        _codec = ReedSolomonCodec.Create(k, m, Implementation);
        var data = Enumerable.Range(0, k).Select(j => SampleData.RandomBytes(ShardLength, j + 1)).ToArray();
        var parity = Enumerable.Range(0, m).Select(_ => new byte[ShardLength]).ToArray();
        _data = data.Select(d => (ReadOnlyMemory<byte>)d).ToArray();
        _parity = parity.Select(p => (Memory<byte>)p).ToArray();
        _codec.Encode(_data, _parity);
        _shards = data.Concat(parity).Select(s => (Memory<byte>)s.ToArray()).ToArray();
        _present = Enumerable.Range(0, k + m).Select(i => i >= m).ToArray();
    }

    [Benchmark]
    public void Encode() => _codec.Encode(_data, _parity);

    [Benchmark]
    public void Reconstruct() => _codec.Reconstruct(_shards, _present);

    private sealed class ErasureConfig : ManualConfig
    {
        public ErasureConfig() => AddColumn(new ThroughputColumn(PayloadBytes, "Payload GB/s", 1e9,
            "Data bytes (k × shard length) per second, in 10^9"));

        // Payload of one operation: data shards (from the "k+m" shape) times the shard length.
        private static long PayloadBytes(BenchmarkCase benchmarkCase)
        {
            var shape = (string)benchmarkCase.Parameters["Shape"];
            var dataShards = int.Parse(shape.AsSpan(0, shape.IndexOf('+', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            return (long)dataShards * (int)benchmarkCase.Parameters["ShardLength"];
        }
    }
}

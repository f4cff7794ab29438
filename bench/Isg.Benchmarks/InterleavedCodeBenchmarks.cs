using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Isg.Protocol.Erasure;
using Isg.TestKit;

namespace Isg.Benchmarks;

/// <summary>
/// The video frames' inner code, 32 parity bytes per codeword: encode, decode of a clean frame, and decode with 1% of
/// the bytes damaged at random (that case copies the damaged frame first; CopyOnly is that copy alone).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InterleavedConfig))]
public class InterleavedCodeBenchmarks
{
    private const int Parity = 32;

    private InterleavedCode _code = null!;
    private byte[] _encoded = [];
    private byte[] _damaged = [];
    private byte[] _work = [];

    [Params(16200, 6 * 1024 * 1024)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _code = InterleavedCode.ForCapacity(Capacity, Parity);
        _encoded = new byte[_code.EncodedBytes];
        SampleData.RandomBytes(_code.DataBytes, 1).CopyTo(_encoded, 0);
        _code.EncodeInPlace(_encoded);
        _damaged = _encoded.ToArray();
        var random = new Random(2);
        for (var i = 0; i < _damaged.Length / 100; i++)
        {
            _damaged[random.Next(_damaged.Length)] ^= (byte)random.Next(1, 256);
        }

        _work = new byte[_encoded.Length];
        var result = DecodeOnePercent();
        if (!result.Success || !_work.AsSpan().SequenceEqual(_encoded))
        {
            throw new InvalidOperationException($"The 1% sample did not decode: {result}.");
        }
    }

    [Benchmark]
    public void Encode() => _code.EncodeInPlace(_encoded);

    [Benchmark]
    public InterleavedDecodeResult DecodeClean() => _code.DecodeInPlace(_encoded);

    [Benchmark]
    public InterleavedDecodeResult DecodeOnePercent()
    {
        _damaged.CopyTo(_work, 0);
        return _code.DecodeInPlace(_work);
    }

    [Benchmark]
    public void CopyOnly() => _damaged.CopyTo(_work, 0);

    private sealed class InterleavedConfig : ManualConfig
    {
        public InterleavedConfig() => AddColumn(new ThroughputColumn(DataBytes, "Data MB/s", 1e6,
            "Data bytes (the frame's payload, excluding parity) per second, in 10^6"));

        private static long DataBytes(BenchmarkCase benchmarkCase) =>
            InterleavedCode.ForCapacity((int)benchmarkCase.Parameters["Capacity"], Parity).DataBytes;
    }
}

using Isg.TestKit;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Isg.Protocol.Compression;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;

namespace Isg.Benchmarks;

/// <summary>Seal and open of 1 MiB blocks (zstd -3): random (stored raw after the probe) and text-like.</summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class SealingBenchmarks : IDisposable
{
    private const int BlockLength = 1024 * 1024;

    private RepositoryKey _key = null!;
    private BlockSealer _sealer = null!;
    private byte[] _plaintext = [];
    private BlockId _id;
    private byte[] _sealed = [];
    private int _sealedLength;
    private byte[] _opened = [];

    [Params("random", "text")]
    public string Data { get; set; } = "random";

    [Params(CipherId.Aes256Gcm, CipherId.ChaCha20Poly1305)]
    public CipherId Cipher { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = RepositoryKey.Generate();
        _sealer = new BlockSealer(_key, new SealOptions(CompressionId.Zstd, 3, Cipher));
        _plaintext = Data == "random" ? SampleData.RandomBytes(BlockLength, 1) : SampleData.Text(BlockLength, 1);
        _id = BlockId.Compute(_plaintext);
        _sealed = new byte[BlockSealer.MaxSealedLength(BlockLength)];
        _sealedLength = _sealer.Seal(_id, _plaintext, _sealed);
        _opened = new byte[BlockLength];
    }

    [Benchmark]
    public int Seal() => _sealer.Seal(_id, _plaintext, _sealed);

    [Benchmark]
    public int Open()
    {
        var status = _sealer.TryOpen(_id, _sealed.AsSpan(0, _sealedLength), _opened, out var written, out var error);
        return status == DecodeStatus.Done ? written : throw new ProtocolException(error);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sealer.Dispose();
        _key.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn(BlockLength));
    }
}

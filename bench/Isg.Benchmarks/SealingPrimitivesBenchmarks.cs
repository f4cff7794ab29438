using Isg.TestKit;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Isg.Protocol.Compression;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;

namespace Isg.Benchmarks;

/// <summary>
/// What one sealed block pays besides its bytes: the per-block key, a fresh AEAD instance, the object name, the
/// nonce; plus the pieces of a 1 MiB seal measured alone (SHA-256, the incompressibility probe, zstd -3 on text),
/// and checking a sealed 1 MiB block: by AES-GCM decryption, or by its tag alone (<see cref="BlockSealer.TryAuthenticate"/>).
/// </summary>
[MemoryDiagnoser]
public class SealingPrimitivesBenchmarks : IDisposable
{
    private const int BlockLength = 1024 * 1024;

    private readonly byte[] _blockKey = new byte[32];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _digest = new byte[32];
    private RepositoryKey _key = null!;
    private BlockCompressor _compressor = null!;
    private BlockId _id;
    private byte[] _random = [];
    private byte[] _text = [];
    private byte[] _compressed = [];
    private BlockSealer _sealer = null!;
    private BlockId _randomId;
    private byte[] _sealed = [];
    private byte[] _opened = [];
    private readonly byte[] _sealedKey = new byte[32];
    private readonly byte[] _sealedNonce = new byte[EnvelopeHeader.NonceLength];

    [GlobalSetup]
    public void Setup()
    {
        _key = RepositoryKey.Generate();
        _compressor = new BlockCompressor();
        _id = BlockId.Compute("benchmark"u8);
        _random = SampleData.RandomBytes(BlockLength, 1);
        _text = SampleData.Text(BlockLength, 1);
        _compressed = new byte[BlockCompressor.MaxCompressedLength(BlockLength)];
        _sealer = new BlockSealer(_key, SealOptions.Default);
        _randomId = BlockId.Compute(_random);
        _sealed = new byte[BlockSealer.MaxSealedLength(BlockLength)];
        _sealed = _sealed[.._sealer.Seal(_randomId, _random, _sealed)];
        _opened = new byte[BlockLength];
        _key.DeriveBlockKey(_randomId, _sealedKey);
        EnvelopeHeader.TryRead(_sealed, out var header, out _);
        header.CopyNonceTo(_sealedNonce);
    }

    [Benchmark]
    public void DeriveBlockKey() => _key.DeriveBlockKey(_id, _blockKey);

    [Benchmark]
    public void NewAesGcm()
    {
        using var aes = new AesGcm(_blockKey, 16);
    }

    [Benchmark]
    public void NewChaCha20Poly1305()
    {
        using var chacha = new ChaCha20Poly1305(_blockKey);
    }

    [Benchmark]
    public string ObjectName() => _key.ObjectName(_id);

    [Benchmark]
    public void RandomNonce() => RandomNumberGenerator.Fill(_nonce);

    [Benchmark]
    public int Sha256Of1MiB() => SHA256.HashData(_text, _digest);

    [Benchmark]
    public int ProbeRandom1MiB() => _compressor.Compress(_random, _compressed, CompressionId.Zstd, 3);

    [Benchmark]
    public int Zstd1Text1MiB() => _compressor.Compress(_text, _compressed, CompressionId.Zstd, 1);

    [Benchmark]
    public int Zstd3Text1MiB() => _compressor.Compress(_text, _compressed, CompressionId.Zstd, 3);

    [Benchmark]
    public int Brotli3Text1MiB() => _compressor.Compress(_text, _compressed, CompressionId.Brotli, 3);

    // What a peer's block check cost before the tag check: the whole AEAD decryption (the plaintext thrown away).
    [Benchmark]
    public void AesGcmDecrypt1MiB()
    {
        using var aes = new AesGcm(_sealedKey, BlockSealer.TagLength);
        aes.Decrypt(_sealedNonce, _sealed.AsSpan(EnvelopeHeader.Size, BlockLength), _sealed.AsSpan(EnvelopeHeader.Size + BlockLength),
            _opened, _sealed.AsSpan(0, EnvelopeHeader.Size));
    }

    [Benchmark]
    public bool Authenticate1MiB() => _sealer.TryAuthenticate(_randomId, _sealed, out _) == DecodeStatus.Done;

    [GlobalCleanup]
    public void Dispose()
    {
        _compressor.Dispose();
        _sealer.Dispose();
        _key.Dispose();
        GC.SuppressFinalize(this);
    }
}

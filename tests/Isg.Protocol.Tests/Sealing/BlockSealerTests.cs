using Isg.TestKit;
using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Compression;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;

namespace Isg.Protocol.Tests.Sealing;

public sealed class BlockSealerTests : IDisposable
{
    private static readonly ProtocolErrorKind[] s_sealedBlockErrors =
    [
        ProtocolErrorKind.Truncated, ProtocolErrorKind.BadMagic, ProtocolErrorKind.UnsupportedVersion,
        ProtocolErrorKind.BadField, ProtocolErrorKind.AuthenticationFailed, ProtocolErrorKind.CorruptPayload,
        ProtocolErrorKind.HashMismatch, ProtocolErrorKind.TooLarge,
    ];

    private readonly RepositoryKey _key = RepositoryKey.Generate();
    private readonly BlockSealer _sealer;

    public BlockSealerTests() => _sealer = new BlockSealer(_key, SealOptions.Default);

    public void Dispose()
    {
        _sealer.Dispose();
        _key.Dispose();
    }

    public static TheoryData<CompressionId, CipherId, int> RoundTripCases()
    {
        var cases = new TheoryData<CompressionId, CipherId, int>();
        foreach (var compression in new[] { CompressionId.None, CompressionId.Zstd, CompressionId.Brotli })
        {
            foreach (var cipher in new[] { CipherId.Aes256Gcm, CipherId.ChaCha20Poly1305 })
            {
                foreach (var length in new[] { 0, 1, 5000, 4 * 1024 * 1024 })
                {
                    cases.Add(compression, cipher, length);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void SealThenTryOpen_EveryCompressionAndCipher_RoundTrips(CompressionId compression, CipherId cipher, int length)
    {
        using var sealer = new BlockSealer(_key, new SealOptions(compression, 3, cipher));
        var plaintext = SampleData.Text(length, seed: length);
        var id = BlockId.Compute(plaintext);

        var sealedBlock = SealWith(sealer, id, plaintext);

        Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(sealedBlock, out var header, out _));
        Assert.Equal(cipher, header.Cipher);
        Assert.Equal(length, header.PlaintextLength);
        var expectedCompression = compression != CompressionId.None && length >= 5000 ? compression : CompressionId.None;
        Assert.Equal(expectedCompression, header.Compression);
        Assert.Equal(plaintext, Open(sealer, id, sealedBlock));

        // Readers take compression and cipher from the header, not from their own options.
        Assert.Equal(plaintext, Open(_sealer, id, sealedBlock));
    }

    [Fact]
    public void Seal_IncompressibleInput_StoredRaw()
    {
        var plaintext = SampleData.RandomBytes(1024 * 1024, seed: 11);
        var id = BlockId.Compute(plaintext);

        var sealedBlock = Seal(id, plaintext);

        Assert.Equal(BlockSealer.MaxSealedLength(plaintext.Length), sealedBlock.Length);
        Assert.Equal(plaintext.Length + BlockSealer.Overhead, sealedBlock.Length);
        Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(sealedBlock, out var header, out _));
        Assert.Equal(CompressionId.None, header.Compression);
        Assert.Equal(plaintext, Open(_sealer, id, sealedBlock));
    }

    [Fact]
    public void Seal_CompressibleText_Shrinks()
    {
        var plaintext = SampleData.Text(1024 * 1024, seed: 12);
        var sealedBlock = Seal(BlockId.Compute(plaintext), plaintext);

        Assert.True(sealedBlock.Length < plaintext.Length / 2, $"sealed {sealedBlock.Length} bytes of {plaintext.Length}");
        Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(sealedBlock, out var header, out _));
        Assert.Equal(CompressionId.Zstd, header.Compression);
    }

    [Fact]
    public void Seal_Ciphertext_DoesNotContainPlaintext()
    {
        // Raw storage must still be encrypted: no 16-byte run of the plaintext may appear in the sealed block.
        var plaintext = SampleData.RandomBytes(4096, seed: 13);
        var sealedBlock = Seal(BlockId.Compute(plaintext), plaintext);

        Assert.True(sealedBlock.AsSpan().IndexOf(plaintext.AsSpan(100, 16)) < 0);
    }

    [Fact]
    public void Seal_SameBlockTwice_DifferentNoncesAndCiphertexts()
    {
        var plaintext = SampleData.Text(10_000, seed: 14);
        var id = BlockId.Compute(plaintext);

        var first = Seal(id, plaintext);
        var second = Seal(id, plaintext);

        Assert.NotEqual(first.AsSpan(12, 12).ToArray(), second.AsSpan(12, 12).ToArray());
        Assert.NotEqual(first.AsSpan(24).ToArray(), second.AsSpan(24).ToArray());
    }

    [Theory]
    [InlineData(CipherId.Aes256Gcm, false)]
    [InlineData(CipherId.Aes256Gcm, true)]
    [InlineData(CipherId.ChaCha20Poly1305, false)]
    [InlineData(CipherId.ChaCha20Poly1305, true)]
    public void TryOpen_AnySingleByteFlippedInSmallBlock_RejectedWithTypedError(CipherId cipher, bool compressible)
    {
        using var sealer = new BlockSealer(_key, new SealOptions(CompressionId.Zstd, 3, cipher));
        var plaintext = compressible ? SampleData.Text(2000, seed: 15) : SampleData.RandomBytes(300, seed: 15);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = SealWith(sealer, id, plaintext);
        var destination = new byte[plaintext.Length];

        for (var offset = 0; offset < sealedBlock.Length; offset++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xff })
            {
                sealedBlock[offset] ^= mask;
                var status = sealer.TryOpen(id, sealedBlock, destination, out var written, out var error);
                sealedBlock[offset] ^= mask;

                Assert.Equal(DecodeStatus.Invalid, status);
                Assert.Equal(0, written);
                Assert.Contains(error.Kind, s_sealedBlockErrors);
                if (offset >= EnvelopeHeader.Size - EnvelopeHeader.NonceLength)
                {
                    Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
                }
            }
        }

        Assert.Equal(plaintext, Open(sealer, id, sealedBlock));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryOpen_RandomByteFlipsIn1MiBBlock_RejectedWithTypedError(bool compressible)
    {
        var plaintext = compressible ? SampleData.Text(1024 * 1024, seed: 16) : SampleData.RandomBytes(1024 * 1024, seed: 16);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        var destination = new byte[plaintext.Length];
        var random = new Random(17);

        for (var i = 0; i < 2000; i++)
        {
            var offset = random.Next(sealedBlock.Length);
            var mask = (byte)random.Next(1, 256);
            sealedBlock[offset] ^= mask;
            var status = _sealer.TryOpen(id, sealedBlock, destination, out _, out var error);
            sealedBlock[offset] ^= mask;

            Assert.Equal(DecodeStatus.Invalid, status);
            Assert.Contains(error.Kind, s_sealedBlockErrors);
        }

        Assert.Equal(plaintext, Open(_sealer, id, sealedBlock));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryOpen_TruncatedAtEveryOffset_RejectedWithTypedError(bool compressible)
    {
        var plaintext = compressible ? SampleData.Text(3000, seed: 18) : SampleData.RandomBytes(500, seed: 18);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        var destination = new byte[plaintext.Length];

        for (var length = 0; length < sealedBlock.Length; length++)
        {
            var status = _sealer.TryOpen(id, sealedBlock.AsSpan(0, length), destination, out _, out var error);

            Assert.Equal(DecodeStatus.Invalid, status);
            Assert.Contains(error.Kind, s_sealedBlockErrors);
            if (length < EnvelopeHeader.Size)
            {
                Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
            }
        }
    }

    [Fact]
    public void TryOpen_TruncatedLargeBlock_Rejected()
    {
        var plaintext = SampleData.Text(1024 * 1024, seed: 19);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        var destination = new byte[plaintext.Length];

        foreach (var cut in new[] { 1, 15, 16, 17, 1000, sealedBlock.Length / 2, sealedBlock.Length - BlockSealer.Overhead })
        {
            Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(id, sealedBlock.AsSpan(0, sealedBlock.Length - cut), destination, out _, out var error));
            Assert.Contains(error.Kind, s_sealedBlockErrors);
        }
    }

    [Fact]
    public void TryOpen_TrailingBytes_Rejected()
    {
        var plaintext = SampleData.Text(3000, seed: 20);
        var id = BlockId.Compute(plaintext);
        var extended = Seal(id, plaintext).Concat(new byte[] { 0 }).ToArray();

        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(id, extended, new byte[plaintext.Length], out _, out var error));
        Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
    }

    [Fact]
    public void TryOpen_UnderAnotherBlockId_AuthenticationFailed()
    {
        var plaintext = SampleData.Text(3000, seed: 21);
        var sealedBlock = Seal(BlockId.Compute(plaintext), plaintext);
        var otherId = BlockId.Compute("another block"u8);

        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(otherId, sealedBlock, new byte[plaintext.Length], out _, out var error));
        Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
    }

    [Fact]
    public void TryOpen_UnderAnotherRepositoryKey_AuthenticationFailed()
    {
        var plaintext = SampleData.RandomBytes(3000, seed: 22);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        using var otherKey = RepositoryKey.Generate();
        using var otherSealer = new BlockSealer(otherKey, SealOptions.Default);
        var destination = new byte[plaintext.Length];

        Assert.Equal(DecodeStatus.Invalid, otherSealer.TryOpen(id, sealedBlock, destination, out _, out var error));
        Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public void TryOpen_SealedWithWrongId_HashMismatch()
    {
        // Only a holder of the repository key can make this: it seals content under an id it does not hash to.
        var plaintext = SampleData.Text(3000, seed: 23);
        var wrongId = BlockId.Compute("not this content"u8);
        var sealedBlock = Seal(wrongId, plaintext);
        var destination = new byte[plaintext.Length];

        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(wrongId, sealedBlock, destination, out var written, out var error));
        Assert.Equal(ProtocolErrorKind.HashMismatch, error.Kind);
        Assert.Equal(0, written);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(CompressionId.None, CipherId.Aes256Gcm)]
    [InlineData(CompressionId.Zstd, CipherId.Aes256Gcm)]
    [InlineData(CompressionId.Zstd, CipherId.ChaCha20Poly1305)]
    public void TryAuthenticate_SealedBlock_DoneAndAnyFlippedByteOrCutRejected(CompressionId compression, CipherId cipher)
    {
        using var sealer = new BlockSealer(_key, new SealOptions(compression, 3, cipher));
        var plaintext = SampleData.Text(2000, seed: 31);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = SealWith(sealer, id, plaintext);

        Assert.Equal(DecodeStatus.Done, _sealer.TryAuthenticate(id, sealedBlock, out _));
        for (var offset = 0; offset < sealedBlock.Length; offset++)
        {
            sealedBlock[offset] ^= 0x10;
            var status = _sealer.TryAuthenticate(id, sealedBlock, out var error);
            sealedBlock[offset] ^= 0x10;

            Assert.Equal(DecodeStatus.Invalid, status);
            Assert.Contains(error.Kind, s_sealedBlockErrors);
        }

        for (var length = 0; length < sealedBlock.Length; length++)
        {
            Assert.Equal(DecodeStatus.Invalid, _sealer.TryAuthenticate(id, sealedBlock.AsSpan(0, length), out var error));
            Assert.Contains(error.Kind, s_sealedBlockErrors);
        }
    }

    [Fact]
    public void TryAuthenticate_AnotherIdOrAnotherRepositoryKey_AuthenticationFailed()
    {
        var plaintext = SampleData.RandomBytes(1024 * 1024, seed: 32);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        using var otherKey = RepositoryKey.Generate();
        using var otherSealer = new BlockSealer(otherKey, SealOptions.Default);

        Assert.Equal(DecodeStatus.Invalid, _sealer.TryAuthenticate(BlockId.Compute("another block"u8), sealedBlock, out var error));
        Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
        Assert.Equal(DecodeStatus.Invalid, otherSealer.TryAuthenticate(id, sealedBlock, out error));
        Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
    }

    [Fact]
    public void TryAuthenticate_SealedWithWrongIdByAKeyHolder_PassesWhereTryOpenFindsTheHashMismatch()
    {
        // The boundary of what authentication proves: who sealed, and for which id; not that the sealer hashed right.
        var plaintext = SampleData.Text(3000, seed: 33);
        var wrongId = BlockId.Compute("not this content"u8);
        var sealedBlock = Seal(wrongId, plaintext);

        Assert.Equal(DecodeStatus.Done, _sealer.TryAuthenticate(wrongId, sealedBlock, out _));
        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(wrongId, sealedBlock, new byte[plaintext.Length], out _, out var error));
        Assert.Equal(ProtocolErrorKind.HashMismatch, error.Kind);
    }

    [Fact]
    public void TryOpen_DestinationSmallerThanPlaintext_TooLarge()
    {
        var plaintext = SampleData.Text(3000, seed: 24);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);

        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(id, sealedBlock, new byte[2999], out _, out var error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public void TryOpen_LargerDestination_WritesPlaintextLength()
    {
        var plaintext = SampleData.Text(3000, seed: 25);
        var id = BlockId.Compute(plaintext);
        var destination = new byte[5000];

        Assert.Equal(DecodeStatus.Done, _sealer.TryOpen(id, Seal(id, plaintext), destination, out var written, out _));
        Assert.Equal(3000, written);
        Assert.Equal(plaintext, destination.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void TryOpen_HeaderClaimsRawButPayloadShorter_TruncatedBeforeDecrypting()
    {
        var plaintext = SampleData.Text(3000, seed: 26);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        sealedBlock[5] = (byte)CompressionId.None;

        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(id, sealedBlock, new byte[3000], out _, out var error));
        Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void TryOpen_HeaderClaimsHugePlaintext_RejectedWithoutAllocating()
    {
        var plaintext = SampleData.Text(3000, seed: 27);
        var id = BlockId.Compute(plaintext);
        var sealedBlock = Seal(id, plaintext);
        BinaryPrimitives.WriteUInt32BigEndian(sealedBlock.AsSpan(8), uint.MaxValue);

        Assert.False(BlockSealer.TryReadPlaintextLength(sealedBlock, out _, out var lengthError));
        Assert.Equal(ProtocolErrorKind.TooLarge, lengthError.Kind);
        Assert.Equal(DecodeStatus.Invalid, _sealer.TryOpen(id, sealedBlock, new byte[3000], out _, out var error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public void TryReadPlaintextLength_ValidAndShortHeaders()
    {
        var plaintext = SampleData.Text(12345, seed: 28);
        var sealedBlock = Seal(BlockId.Compute(plaintext), plaintext);

        Assert.True(BlockSealer.TryReadPlaintextLength(sealedBlock, out var length, out _));
        Assert.Equal(12345, length);
        Assert.False(BlockSealer.TryReadPlaintextLength(sealedBlock.AsSpan(0, 23), out _, out var error));
        Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void TryOpen_ValidHeaderThenArbitraryBytes_InvalidAndNeverThrows()
    {
        var plaintext = SampleData.Text(3000, seed: 29);
        var id = BlockId.Compute(plaintext);
        var header = Seal(id, plaintext).AsSpan(0, EnvelopeHeader.Size).ToArray();
        var destination = new byte[plaintext.Length];

        Prop.ForAll<byte[], bool>((tail, withHeader) =>
        {
            var candidate = withHeader ? header.Concat(tail).ToArray() : tail;
            var status = _sealer.TryOpen(id, candidate, destination, out var written, out var error);
            return status == DecodeStatus.Invalid && written == 0 && s_sealedBlockErrors.Contains(error.Kind);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Seal_BadArguments_Throw()
    {
        var plaintext = new byte[100];
        var id = BlockId.Compute(plaintext);
        var buffer = new byte[1000];

        Assert.Throws<ArgumentException>(() => _sealer.Seal(id, plaintext, new byte[BlockSealer.MaxSealedLength(100) - 1]));
        Assert.Throws<ArgumentException>(() => _sealer.Seal(id, buffer.AsSpan(0, 100), buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockSealer.MaxSealedLength(EnvelopeHeader.MaxPlaintextLength + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockSealer(_key, new SealOptions(CompressionId.Zstd, 40)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockSealer(_key, new SealOptions(Cipher: (CipherId)9)));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var sealer = new BlockSealer(_key, SealOptions.Default);
        sealer.Dispose();
        sealer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sealer.Seal(BlockId.Compute([]), [], new byte[100]));
    }

    private static byte[] SealWith(BlockSealer sealer, BlockId id, byte[] plaintext)
    {
        var buffer = new byte[BlockSealer.MaxSealedLength(plaintext.Length)];
        var written = sealer.Seal(id, plaintext, buffer);
        return buffer.AsSpan(0, written).ToArray();
    }

    private static byte[] Open(BlockSealer sealer, BlockId id, byte[] sealedBlock)
    {
        Assert.True(BlockSealer.TryReadPlaintextLength(sealedBlock, out var length, out var lengthError), lengthError.ToString());
        var destination = new byte[length];
        var status = sealer.TryOpen(id, sealedBlock, destination, out var written, out var error);
        Assert.True(status == DecodeStatus.Done, error.ToString());
        Assert.Equal(length, written);
        return destination;
    }

    private byte[] Seal(BlockId id, byte[] plaintext) => SealWith(_sealer, id, plaintext);
}

using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Compression;
using Isg.Protocol.Errors;
using Isg.Protocol.Sealing;

namespace Isg.Protocol.Tests.Sealing;

public sealed class EnvelopeHeaderTests
{
    private static readonly byte[] s_nonce = Convert.FromHexString("0102030405060708090a0b0c");

    // Magic "ISGB", version 1, zstd, AES-256-GCM, flags 0, length 0x00100000, nonce.
    private const string KnownHex = "49534742" + "01" + "01" + "01" + "00" + "00100000" + "0102030405060708090a0b0c";

    private static byte[] Sample() =>
        Encode(new EnvelopeHeader(CompressionId.Zstd, CipherId.Aes256Gcm, 1024 * 1024, s_nonce));

    private static byte[] Encode(EnvelopeHeader header)
    {
        var bytes = new byte[EnvelopeHeader.Size];
        header.Write(bytes);
        return bytes;
    }

    [Fact]
    public void Write_KnownHeader_MatchesLayout()
    {
        Assert.Equal(KnownHex, Convert.ToHexStringLower(Sample()));
    }

    [Fact]
    public void TryRead_Whole_RoundTrips()
    {
        var bytes = Sample();
        Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(bytes, out var header, out _));
        Assert.Equal(CompressionId.Zstd, header.Compression);
        Assert.Equal(CipherId.Aes256Gcm, header.Cipher);
        Assert.Equal(1024 * 1024, header.PlaintextLength);
        var nonce = new byte[EnvelopeHeader.NonceLength];
        header.CopyNonceTo(nonce);
        Assert.Equal(s_nonce, nonce);
        Assert.Equal(bytes, Encode(header));
    }

    [Fact]
    public void TryRead_WithTrailingBytes_ReadsOnlyTheHeader()
    {
        var bytes = Sample().Concat(new byte[100]).ToArray();
        Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(bytes, out var header, out _));
        Assert.Equal(1024 * 1024, header.PlaintextLength);
    }

    [Fact]
    public void TryRead_SplitAtEveryOffset_NeedsMoreThenDone()
    {
        var bytes = Sample();
        for (var split = 0; split < bytes.Length; split++)
        {
            Assert.Equal(DecodeStatus.NeedMoreData, EnvelopeHeader.TryRead(bytes.AsSpan(0, split), out _, out var error));
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);

            // The reader buffers the first part and retries with the second appended.
            var joined = bytes.AsSpan(0, split).ToArray().Concat(bytes.AsSpan(split).ToArray()).ToArray();
            Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(joined, out var header, out _));
            Assert.Equal(bytes, Encode(header));
        }
    }

    [Fact]
    public void TryRead_ByteByByte_DoneOnlyAtTheLastByte()
    {
        var bytes = Sample();
        var buffer = new List<byte>();
        foreach (var b in bytes)
        {
            buffer.Add(b);
            var status = EnvelopeHeader.TryRead(buffer.ToArray(), out _, out _);
            Assert.Equal(buffer.Count == bytes.Length ? DecodeStatus.Done : DecodeStatus.NeedMoreData, status);
        }
    }

    [Theory]
    [InlineData(0, 0x00, ProtocolErrorKind.BadMagic)]
    [InlineData(3, 0x43, ProtocolErrorKind.BadMagic)]
    [InlineData(4, 0x02, ProtocolErrorKind.UnsupportedVersion)]
    [InlineData(4, 0x00, ProtocolErrorKind.UnsupportedVersion)]
    [InlineData(5, 0x03, ProtocolErrorKind.BadField)]
    [InlineData(6, 0x00, ProtocolErrorKind.BadField)]
    [InlineData(6, 0x03, ProtocolErrorKind.BadField)]
    [InlineData(7, 0x01, ProtocolErrorKind.BadField)]
    [InlineData(8, 0x04, ProtocolErrorKind.TooLarge)]
    [InlineData(8, 0xff, ProtocolErrorKind.TooLarge)]
    public void TryRead_BadField_InvalidWithTypedErrorAtItsOffset(int offset, byte value, ProtocolErrorKind expected)
    {
        var bytes = Sample();
        bytes[offset] = value;

        Assert.Equal(DecodeStatus.Invalid, EnvelopeHeader.TryRead(bytes, out _, out var error));
        Assert.Equal(expected, error.Kind);
        Assert.Equal(expected == ProtocolErrorKind.BadMagic ? 0 : offset, error.Offset);
    }

    [Fact]
    public void TryRead_ShortPrefixWithBadMagic_InvalidAtOnce()
    {
        Assert.Equal(DecodeStatus.NeedMoreData, EnvelopeHeader.TryRead("IS"u8, out _, out _));
        Assert.Equal(DecodeStatus.Invalid, EnvelopeHeader.TryRead("IX"u8, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadMagic, error.Kind);
    }

    [Fact]
    public void TryRead_LengthAtTheLimit_Accepted()
    {
        var bytes = Encode(new EnvelopeHeader(CompressionId.None, CipherId.ChaCha20Poly1305, EnvelopeHeader.MaxPlaintextLength, s_nonce));
        Assert.Equal(DecodeStatus.Done, EnvelopeHeader.TryRead(bytes, out var header, out _));
        Assert.Equal(EnvelopeHeader.MaxPlaintextLength, header.PlaintextLength);
        Assert.Equal(CipherId.ChaCha20Poly1305, header.Cipher);
    }

    [Fact]
    public void Constructor_OutOfRangeValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnvelopeHeader((CompressionId)3, CipherId.Aes256Gcm, 1, s_nonce));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnvelopeHeader(CompressionId.Zstd, (CipherId)0, 1, s_nonce));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnvelopeHeader(CompressionId.Zstd, CipherId.Aes256Gcm, -1, s_nonce));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new EnvelopeHeader(CompressionId.Zstd, CipherId.Aes256Gcm, EnvelopeHeader.MaxPlaintextLength + 1, s_nonce));
        Assert.Throws<ArgumentException>(() => new EnvelopeHeader(CompressionId.Zstd, CipherId.Aes256Gcm, 1, new byte[11]));
    }

    [Fact]
    public void TryRead_ArbitraryBytes_NeverThrowsAndDoneMeansCanonical()
    {
        var magic = Sample().AsSpan(0, 4).ToArray();
        Prop.ForAll<byte[], bool>((tail, withMagic) =>
        {
            var bytes = withMagic ? magic.Concat(tail).ToArray() : tail;
            var status = EnvelopeHeader.TryRead(bytes, out var header, out var error);
            return status switch
            {
                DecodeStatus.Done => Encode(header).AsSpan().SequenceEqual(bytes.AsSpan(0, EnvelopeHeader.Size)),
                DecodeStatus.NeedMoreData => bytes.Length < EnvelopeHeader.Size && error.Kind == ProtocolErrorKind.Truncated,
                _ => error.Kind != ProtocolErrorKind.Truncated,
            };
        }).QuickCheckThrowOnFailure();
    }
}

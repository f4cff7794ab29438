using System.Text;
using Isg.Protocol.Errors;
using Isg.Protocol.Frames;
using Isg.Protocol.Keys;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class VideoHeaderTests
{
    [Fact]
    public void TryRead_ClearHeader_RoundTripsEveryField()
    {
        var header = VideoTestData.ClearHeader(new VideoParameters(VideoMode.Rgb, 1280, 720, 3, 5, 40, 20, 3, 2, 29.97));
        var bytes = new byte[header.EncodedLength];
        header.WriteTo(bytes);

        Assert.True(VideoHeader.TryRead(bytes, out var read, out var error), error.ToString());
        Assert.Equal(header.Parameters, read.Parameters);
        Assert.Equal(header.StreamTag, read.StreamTag);
        Assert.Equal(header.PayloadLength, read.PayloadLength);
        Assert.False(read.IsEncrypted);
        Assert.True(read.TryOpenMetadata(null, out var metadata, out error), error.ToString());
        Assert.Equal(VideoTestData.Metadata().Name, metadata.Name);
        Assert.Equal(VideoTestData.Metadata().Sha256, metadata.Sha256);
        Assert.Equal(VideoTestData.Metadata().FileLength, metadata.FileLength);
    }

    [Fact]
    public void TryOpenMetadata_EncryptedWithTheRightPassphrase_Opens()
    {
        var (header, keys) = VideoTestData.EncryptedHeader();
        using (keys)
        {
            var bytes = new byte[header.EncodedLength];
            header.WriteTo(bytes);
            Assert.True(VideoHeader.TryRead(bytes, out var read, out _));
            Assert.True(read.IsEncrypted);
            Assert.DoesNotContain("holiday", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            using var again = VideoKeys.Derive("correct horse"u8, read.Salt, read.Kdf!);
            Assert.True(read.TryOpenMetadata(again, out var metadata, out var error), error.ToString());
            Assert.Equal("holiday photos.tar", metadata.Name);
        }
    }

    [Fact]
    public void TryOpenMetadata_WrongOrMissingPassphrase_IsWrongPassphrase()
    {
        var (header, keys) = VideoTestData.EncryptedHeader();
        keys.Dispose();
        using var wrong = VideoKeys.Derive("incorrect horse"u8, header.Salt, header.Kdf!);

        Assert.False(header.TryOpenMetadata(wrong, out _, out var error));
        Assert.Equal(ProtocolErrorKind.WrongPassphrase, error.Kind);
        Assert.False(header.TryOpenMetadata(null, out _, out error));
        Assert.Equal(ProtocolErrorKind.WrongPassphrase, error.Kind);
    }

    [Fact]
    public void TryOpenMetadata_EncryptedHeaderWithAlteredParameter_FailsAuthentication()
    {
        var (header, keys) = VideoTestData.EncryptedHeader();
        using (keys)
        {
            var bytes = new byte[header.EncodedLength];
            header.WriteTo(bytes);
            bytes[27] ^= 1; // payload length
            Assert.True(VideoHeader.TryRead(bytes, out var altered, out _));
            Assert.False(altered.TryOpenMetadata(keys, out _, out var error));
            Assert.Equal(ProtocolErrorKind.WrongPassphrase, error.Kind);
        }
    }

    [Fact]
    public void TryRead_BadMagicVersionOrShortInput_FailsTyped()
    {
        var header = VideoTestData.ClearHeader();
        var bytes = new byte[header.EncodedLength];
        header.WriteTo(bytes);

        var magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        Assert.False(VideoHeader.TryRead(magic, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadMagic, error.Kind);

        var version = (byte[])bytes.Clone();
        version[5] = 9;
        Assert.False(VideoHeader.TryRead(version, out _, out error));
        Assert.Equal(ProtocolErrorKind.UnsupportedVersion, error.Kind);

        Assert.False(VideoHeader.TryRead(bytes.AsSpan(0, 20), out _, out error));
        Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void TryRead_EveryPrefixAndRandomBytes_NeverThrows()
    {
        var header = VideoTestData.ClearHeader();
        var bytes = new byte[header.EncodedLength];
        header.WriteTo(bytes);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(VideoHeader.TryRead(bytes.AsSpan(0, length), out _, out _) && length < VideoHeader.FixedBytes);
        }

        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var fuzzed = (byte[])bytes.Clone();
            fuzzed[random.Next(fuzzed.Length)] = (byte)random.Next(256);
            fuzzed[random.Next(fuzzed.Length)] = (byte)random.Next(256);
            if (VideoHeader.TryRead(fuzzed, out var read, out _))
            {
                read.TryOpenMetadata(null, out _, out _);
            }
        }
    }

    [Fact]
    public void Create_NameLongerThanTheLimit_Throws()
    {
        var metadata = new VideoMetadata(1, new byte[32], new string('n', VideoMetadata.MaxNameBytes + 1));
        Assert.Throws<ArgumentException>(() => VideoHeader.Create(VideoTestData.Parameters, 1, 1, metadata, null, null, []));
    }

    [Fact]
    public void Create_LongestNameEncrypted_FitsAHeaderFrame()
    {
        var salt = new byte[VideoKeys.SaltLength];
        using var keys = VideoKeys.Derive("p"u8, salt, Argon2Parameters.ForTests);
        var metadata = new VideoMetadata(1, new byte[32], new string('é', VideoMetadata.MaxNameBytes / 2));
        var header = VideoHeader.Create(VideoTestData.Parameters, 1, 1, metadata, keys, Argon2Parameters.ForTests, salt);
        var frame = new byte[320 * 240];

        HeaderFrame.Render(header, 320, 240, frame);

        Assert.True(HeaderFrame.TryRead(frame, 320, 240, out var read, out var error), error.ToString());
        Assert.True(read.TryOpenMetadata(keys, out var opened, out _));
        Assert.Equal(metadata.Name, opened.Name);
    }
}

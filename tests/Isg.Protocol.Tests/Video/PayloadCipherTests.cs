using Isg.Protocol.Errors;
using Isg.Protocol.Keys;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class PayloadCipherTests
{
    private static readonly byte[] s_salt = new byte[VideoKeys.SaltLength];

    [Fact]
    public void TryOpen_SealedSegment_RoundTrips()
    {
        using var keys = VideoKeys.Derive("pw"u8, s_salt, Argon2Parameters.ForTests);
        using var cipher = new PayloadCipher(keys, 5);
        var plain = new byte[1000];
        new Random(1).NextBytes(plain);
        var sealedSegment = new byte[plain.Length + PayloadCipher.TagBytes];

        cipher.Seal(3, final: true, plain, sealedSegment);

        var opened = new byte[plain.Length];
        Assert.True(cipher.TryOpen(3, final: true, sealedSegment, opened, out var error), error.ToString());
        Assert.Equal(plain, opened);
        Assert.NotEqual(plain, sealedSegment[..plain.Length]);
    }

    [Theory]
    [InlineData(4, true, 5u)]
    [InlineData(3, false, 5u)]
    [InlineData(3, true, 6u)]
    public void TryOpen_MovedTruncatedOrForeignSegment_FailsAuthentication(long segment, bool final, uint streamTag)
    {
        using var keys = VideoKeys.Derive("pw"u8, s_salt, Argon2Parameters.ForTests);
        using var sealer = new PayloadCipher(keys, 5);
        using var opener = new PayloadCipher(keys, streamTag);
        var sealedSegment = new byte[100 + PayloadCipher.TagBytes];
        sealer.Seal(3, final: true, new byte[100], sealedSegment);

        Assert.False(opener.TryOpen(segment, final, sealedSegment, new byte[100], out var error));
        Assert.Equal(ProtocolErrorKind.AuthenticationFailed, error.Kind);
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(1, 17)]
    [InlineData(PayloadCipher.SegmentBytes, PayloadCipher.SegmentBytes + 16)]
    [InlineData(PayloadCipher.SegmentBytes + 1, PayloadCipher.SegmentBytes + 1 + 32)]
    public void SealedLength_CountsOneTagPerSegment(long plain, long sealedLength) =>
        Assert.Equal(sealedLength, PayloadCipher.SealedLength(plain));
}

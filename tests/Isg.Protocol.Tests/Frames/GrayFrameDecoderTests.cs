using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Errors;
using Isg.Protocol.Frames;

namespace Isg.Protocol.Tests.Frames;

public sealed class GrayFrameDecoderTests
{
    public static TheoryData<int, FrameMode> AllCellSizesAndModes()
    {
        var data = new TheoryData<int, FrameMode>();
        for (var size = FrameGeometry.MinCellSize; size <= FrameGeometry.MaxCellSize; size++)
        {
            data.Add(size, FrameMode.BlackWhite);
            data.Add(size, FrameMode.Gray4);
        }

        return data;
    }

    [Fact]
    public void Decode_RandomGeometryAndPayload_RoundTripsBitExact()
    {
        var cases = from size in Gen.Choose(1, 10)
                    from gray in Gen.Elements(FrameMode.BlackWhite, FrameMode.Gray4)
                    from width in Gen.Choose(size, 160)
                    from height in Gen.Choose(size, 90)
                    from fill in Gen.Choose(0, 100)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (size, gray, width, height, fill, seed);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var geometry = new FrameGeometry(c.width, c.height, c.size, c.gray);
            var payload = RandomPayload(geometry.PayloadBytesPerFrame * c.fill / 100, c.seed);

            var decoded = RoundTrip(payload, geometry, static _ => { });

            Assert.Equal(payload, decoded[..payload.Length]);
            Assert.All(decoded[payload.Length..], b => Assert.Equal(0, b));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decode_RandomGeometryFillAndLevelShift_RoundTripsBitExact()
    {
        var cases = from size in Gen.Choose(3, 10)
                    from gray in Gen.Elements(FrameMode.BlackWhite, FrameMode.Gray4)
                    from width in Gen.Choose(8 * size, 160)
                    from height in Gen.Choose(8 * size, 90)
                    from fill in Gen.Choose(1, 100)
                    from black in Gen.Choose(0, 30)
                    from white in Gen.Choose(200, 255)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (size, gray, width, height, fill, black, white, seed);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var geometry = new FrameGeometry(c.width, c.height, c.size, c.gray);
            var payload = RandomPayload(Math.Max(2, geometry.PayloadBytesPerFrame * c.fill / 100), c.seed);
            // A shifted frame reads back only if it shows every level: a payload without the top level makes a
            // squeezed level ambiguous (about 1 run in 100 failed on a 1-byte Gray4 payload). The container's
            // reference cells guarantee every level in real frames; here 0x1B 0x1B (symbols 0, 1, 2, 3 twice) does.
            payload[0] = 0x1B;
            payload[1] = 0x1B;

            var decoded = RoundTrip(payload, geometry, frame => Map(frame, p => c.black + (p * (c.white - c.black) / 255)));

            Assert.Equal(payload, decoded[..payload.Length]);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(AllCellSizesAndModes))]
    public void Decode_ContrastSqueezedInto30To200_RoundTripsBitExact(int size, FrameMode mode) =>
        AssertSurvives(size, mode, frame => Map(frame, p => 30 + (p * 170 / 255)));

    [Theory]
    [MemberData(nameof(AllCellSizesAndModes))]
    public void Decode_BrightnessPlus20_RoundTripsBitExact(int size, FrameMode mode) =>
        AssertSurvives(size, mode, frame => Map(frame, p => p + 20));

    [Theory]
    [MemberData(nameof(AllCellSizesAndModes))]
    public void Decode_BrightnessMinus20_RoundTripsBitExact(int size, FrameMode mode) =>
        AssertSurvives(size, mode, frame => Map(frame, p => p - 20));

    [Theory]
    [MemberData(nameof(AllCellSizesAndModes))]
    public void Decode_NoiseUpTo20OnEveryPixel_RoundTripsBitExact(int size, FrameMode mode)
    {
        // With B < 3 a Gray4 cell has no inner pixels to average, and ±20 of noise is near half a level step.
        if (mode == FrameMode.Gray4 && size < 3)
        {
            return;
        }

        var random = new Random(size);
        AssertSurvives(size, mode, frame => Map(frame, p => p + random.Next(-10, 11) + random.Next(-10, 10)));
    }

    [Theory]
    [MemberData(nameof(AllCellSizesAndModes))]
    public void Decode_CellEdgesBlurredWithNeighbours_RoundTripsBitExact(int size, FrameMode mode)
    {
        // Cells of 1 or 2 pixels are all edge: only cells with an inner part can shrug off a blur.
        if (size < 3)
        {
            return;
        }

        AssertSurvives(size, mode, frame => BlurCellEdges(frame, 120, 72, size));
    }

    [Fact]
    public void Decode_SqueezedAndBrightenedTogether_RoundTripsBitExact() =>
        AssertSurvives(4, FrameMode.Gray4, frame => Map(frame, p => 45 + (p * 150 / 255)));

    [Fact]
    public void Decode_UniformBlackFrameBrightened_ReadsZeros()
    {
        var geometry = new FrameGeometry(64, 64, 4, FrameMode.Gray4);

        var decoded = RoundTrip([], geometry, frame => Map(frame, p => p + 20));

        Assert.All(decoded, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    [InlineData(4097)]
    public void Decode_WrongFrameLength_ThrowsProtocolExceptionWithBadField(int length)
    {
        var geometry = new FrameGeometry(64, 64, 4, FrameMode.Gray4);
        var payload = new byte[geometry.PayloadBytesPerFrame];

        var error = Assert.Throws<ProtocolException>(() => GrayFrameDecoder.Decode(new byte[length], geometry, payload));

        Assert.Equal(ProtocolErrorKind.BadField, error.Error.Kind);
    }

    [Fact]
    public void TryDecode_WrongFrameLength_ReturnsFalseWithError()
    {
        var geometry = new FrameGeometry(64, 64, 4, FrameMode.BlackWhite);
        var payload = new byte[geometry.PayloadBytesPerFrame];

        var ok = GrayFrameDecoder.TryDecode(new byte[100], geometry, payload, out var written, out var error);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_PayloadBufferTooShort_Throws()
    {
        var geometry = new FrameGeometry(64, 64, 4, FrameMode.Gray4);

        Assert.Throws<ArgumentException>(() => GrayFrameDecoder.Decode(new byte[4096], geometry, new byte[10]));
    }

    private static void AssertSurvives(int size, FrameMode mode, Action<byte[]> distort)
    {
        // 120x72 is not a multiple of every cell size, so borders are exercised too.
        var geometry = new FrameGeometry(120, 72, size, mode);
        var payload = RandomPayload(geometry.PayloadBytesPerFrame, 1000 + size);

        var decoded = RoundTrip(payload, geometry, distort);

        Assert.Equal(payload, decoded);
    }

    private static byte[] RoundTrip(byte[] payload, FrameGeometry geometry, Action<byte[]> distort)
    {
        var frame = new byte[geometry.FrameBytes];
        GrayFrameEncoder.Encode(payload, geometry, frame);
        distort(frame);
        var decoded = new byte[geometry.PayloadBytesPerFrame];
        var written = GrayFrameDecoder.Decode(frame, geometry, decoded);
        Assert.Equal(decoded.Length, written);
        return decoded;
    }

    private static byte[] RandomPayload(int length, int seed)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    private static void Map(byte[] frame, Func<int, int> pixel)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)Math.Clamp(pixel(frame[i]), 0, 255);
        }
    }

    /// <summary>Averages the two pixels on each side of every vertical and horizontal cell boundary.</summary>
    private static void BlurCellEdges(byte[] frame, int width, int height, int size)
    {
        for (var y = 0; y < height; y++)
        {
            for (var x = size; x < width; x += size)
            {
                var mixed = (byte)((frame[(y * width) + x - 1] + frame[(y * width) + x] + 1) / 2);
                frame[(y * width) + x - 1] = mixed;
                frame[(y * width) + x] = mixed;
            }
        }

        for (var y = size; y < height; y += size)
        {
            for (var x = 0; x < width; x++)
            {
                var mixed = (byte)((frame[((y - 1) * width) + x] + frame[(y * width) + x] + 1) / 2);
                frame[((y - 1) * width) + x] = mixed;
                frame[(y * width) + x] = mixed;
            }
        }
    }
}

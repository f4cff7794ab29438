using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Errors;
using Isg.Protocol.Frames;

namespace Isg.Protocol.Tests.Frames;

public sealed class RgbFrameCodecTests
{
    public static TheoryData<int, int> CellSizesAndBits()
    {
        var data = new TheoryData<int, int>();
        foreach (var size in new[] { 1, 2, 3, 4, 7, 10 })
        {
            for (var bits = RgbFrameCodec.MinBitsPerChannel; bits <= RgbFrameCodec.MaxBitsPerChannel; bits++)
            {
                data.Add(size, bits);
            }
        }

        return data;
    }

    [Fact]
    public void TryDecode_RandomGeometryAndPayload_RoundTripsBitExact()
    {
        var cases = from size in Gen.Choose(1, 10)
                    from bits in Gen.Choose(1, 8)
                    from width in Gen.Choose(size, 96)
                    from height in Gen.Choose(size, 64)
                    from fill in Gen.Choose(0, 100)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (size, bits, width, height, fill, seed);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var codec = new RgbFrameCodec(c.width, c.height, c.size, c.bits);
            var payload = RandomPayload(codec.PayloadBytesPerFrame * c.fill / 100, c.seed);

            var decoded = RoundTrip(codec, payload, static _ => { });

            Assert.Equal(payload, decoded[..payload.Length]);
            Assert.All(decoded[payload.Length..], b => Assert.Equal(0, b));
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(CellSizesAndBits))]
    public void TryDecode_NoiseBelowHalfAStepOnEveryChannel_RoundTripsBitExact(int size, int bits)
    {
        var codec = new RgbFrameCodec(120, 72, size, bits);
        var amplitude = Math.Max(0, (int)(255.0 / ((1 << bits) - 1) / 2) - 1);
        var random = new Random((size * 10) + bits);

        var payload = RandomPayload(codec.PayloadBytesPerFrame, size + bits);
        var decoded = RoundTrip(codec, payload, frame => Map(frame, p => p + random.Next(-amplitude, amplitude + 1)));

        Assert.Equal(payload, decoded);
    }

    [Theory]
    [MemberData(nameof(CellSizesAndBits))]
    public void TryDecode_GarbageOnCellEdges_RoundTripsBitExact(int size, int bits)
    {
        // Only cells with an inner part ignore their edges.
        if (size < 3)
        {
            return;
        }

        var codec = new RgbFrameCodec(120, 72, size, bits);
        var random = new Random(size + (100 * bits));

        var payload = RandomPayload(codec.PayloadBytesPerFrame, 7 * (size + bits));
        var decoded = RoundTrip(codec, payload, frame => ScrambleCellEdges(frame, codec, random));

        Assert.Equal(payload, decoded);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(1, 3)]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(4, 3)]
    [InlineData(4, 4)]
    [InlineData(3, 4)]
    public void TryDecode_ContrastSqueezedInto30To200_RoundTripsBitExact(int size, int bits)
    {
        var codec = new RgbFrameCodec(120, 72, size, bits);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, 31 * bits);

        var decoded = RoundTrip(codec, payload, frame => Map(frame, p => 30 + (p * 170 / 255)));

        Assert.Equal(payload, decoded);
    }

    [Theory]
    [InlineData(1, 1, 40)]
    [InlineData(1, 2, 20)]
    [InlineData(4, 2, -20)]
    [InlineData(4, 3, 15)]
    [InlineData(2, 3, -15)]
    public void TryDecode_BrightnessShiftedWithClipping_RoundTripsBitExact(int size, int bits, int shift)
    {
        var codec = new RgbFrameCodec(120, 72, size, bits);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, 17 * bits);

        var decoded = RoundTrip(codec, payload, frame => Map(frame, p => p + shift));

        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_EachChannelSqueezedDifferently_RoundTripsBitExact()
    {
        var codec = new RgbFrameCodec(120, 72, 4, 2);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, 5);
        (int Black, int White)[] ranges = [(10, 240), (40, 190), (0, 170)];

        var decoded = RoundTrip(codec, payload, frame =>
        {
            for (var i = 0; i < frame.Length; i++)
            {
                var (black, white) = ranges[i % 3];
                frame[i] = (byte)(black + (frame[i] * (white - black) / 255));
            }
        });

        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_ShortPayloadInUnshiftedFrame_RoundTripsBitExact()
    {
        // One byte uses few levels; an unshifted frame must still read with its nominal levels.
        var codec = new RgbFrameCodec(64, 64, 4, 4);

        foreach (var value in new byte[] { 0x00, 0x01, 0x35, 0x80, 0xFF })
        {
            var decoded = RoundTrip(codec, [value], static _ => { });

            Assert.Equal(value, decoded[0]);
            Assert.All(decoded[1..], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void Encode_LosslessProfile_WritesPayloadBytesAsPixels()
    {
        var codec = new RgbFrameCodec(16, 9, 1, 8);
        var payload = RandomPayload(100, 3);
        var frame = new byte[codec.FrameBytes];
        frame.AsSpan().Fill(0xAA);

        codec.Encode(payload, frame);

        Assert.Equal(codec.FrameBytes, codec.PayloadBytesPerFrame);
        Assert.Equal(payload, frame[..100]);
        Assert.All(frame[100..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Encode_OneBitPerChannel_PaintsCellsWithFullLevelsMsbFirst()
    {
        // 0b101_011_00: first cell R=1 G=0 B=1, second R=0 G=1 B=1, third (partial) 0 0 then 0 from padding.
        var codec = new RgbFrameCodec(8, 2, 2, 1);
        var frame = new byte[codec.FrameBytes];

        codec.Encode([0b1010_1100], frame);

        Assert.Equal(new byte[] { 255, 0, 255, 255, 0, 255, 0, 255, 255, 0, 255, 255, 0, 0, 0, 0, 0, 0 }, frame[..18]);
        Assert.Equal(frame[..24], frame[24..48]);
    }

    [Fact]
    public void Encode_TwoBitsPerChannel_UsesGrayCodedLevels()
    {
        // Symbols 0, 1, 2, 3 are Gray-coded onto level indices 0, 1, 3, 2: values 0, 85, 255, 170.
        var codec = new RgbFrameCodec(4, 1, 1, 2);
        var frame = new byte[codec.FrameBytes];

        codec.Encode([0b00_01_10_11, 0b11_10_01_00, 0b01_01_01_01], frame);

        Assert.Equal(new byte[] { 0, 85, 255, 170, 170, 255, 85, 0, 85, 85, 85, 85 }, frame);
    }

    [Fact]
    public void Encode_FrameNotAMultipleOfTheCell_PaintsBorderMidGrey()
    {
        var codec = new RgbFrameCodec(10, 7, 3, 2);
        var frame = new byte[codec.FrameBytes];

        codec.Encode(RandomPayload(codec.PayloadBytesPerFrame, 1), frame);

        for (var y = 0; y < 7; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                if (x >= 9 || y >= 6)
                {
                    Assert.All(frame.AsSpan(((y * 10) + x) * 3, 3).ToArray(), b => Assert.Equal(FrameGeometry.BorderLevel, b));
                }
            }
        }
    }

    [Theory]
    [InlineData(1920, 1080, 1, 8, 6_220_800)]
    [InlineData(1920, 1080, 4, 2, 97_200)]
    [InlineData(10, 10, 3, 1, 3)]
    public void PayloadBytesPerFrame_KnownGeometry_IsCellsTimesBitsOverEight(int width, int height, int size, int bits, int expected) =>
        Assert.Equal(expected, new RgbFrameCodec(width, height, size, bits).PayloadBytesPerFrame);

    [Theory]
    [InlineData(0)]
    [InlineData(47)]
    [InlineData(49)]
    public void TryDecode_WrongFrameLength_ReturnsFalseWithBadField(int length)
    {
        var codec = new RgbFrameCodec(4, 4, 1, 3);
        var payload = new byte[codec.PayloadBytesPerFrame];

        var ok = codec.TryDecode(new byte[length], payload, out var written, out var error);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
        Assert.Contains("48", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_PayloadBufferTooShort_Throws()
    {
        var codec = new RgbFrameCodec(8, 8, 2, 2);

        Assert.Throws<ArgumentException>(() => codec.TryDecode(new byte[codec.FrameBytes], new byte[codec.PayloadBytesPerFrame - 1], out _, out _));
    }

    [Fact]
    public void Encode_WrongLengths_Throw()
    {
        var codec = new RgbFrameCodec(8, 8, 2, 2);

        Assert.Throws<ArgumentException>(() => codec.Encode([], new byte[codec.FrameBytes - 1]));
        Assert.Throws<ArgumentException>(() => codec.Encode(new byte[codec.PayloadBytesPerFrame + 1], new byte[codec.FrameBytes]));
    }

    [Theory]
    [InlineData(0, 2, "cellSize")]
    [InlineData(11, 2, "cellSize")]
    [InlineData(2, 0, "bitsPerChannel")]
    [InlineData(2, 9, "bitsPerChannel")]
    public void Constructor_OutOfRangeArgument_ThrowsNamingIt(int size, int bits, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RgbFrameCodec(64, 64, size, bits));

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Constructor_FrameSmallerThanACell_ThrowsNamingWidth()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RgbFrameCodec(3, 64, 4, 2));

        Assert.Equal("width", error.ParamName);
    }

    [Fact]
    public void TryDecode_ManyThreadsAtOnce_AllRoundTrip()
    {
        var codec = new RgbFrameCodec(96, 64, 3, 3);

        Parallel.For(0, 32, i =>
        {
            var payload = RandomPayload(codec.PayloadBytesPerFrame, i);
            Assert.Equal(payload, RoundTrip(codec, payload, static _ => { }));
        });
    }

    private static byte[] RoundTrip(RgbFrameCodec codec, byte[] payload, Action<byte[]> distort)
    {
        var frame = new byte[codec.FrameBytes];
        codec.Encode(payload, frame);
        distort(frame);
        var decoded = new byte[codec.PayloadBytesPerFrame];
        Assert.True(codec.TryDecode(frame, decoded, out var written, out var error), error.ToString());
        Assert.Equal(decoded.Length, written);
        return decoded;
    }

    private static byte[] RandomPayload(int length, int seed)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    private static void Map(byte[] frame, Func<int, int> value)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)Math.Clamp(value(frame[i]), 0, 255);
        }
    }

    /// <summary>Overwrites every channel of every pixel on the outer ring of each cell with random values.</summary>
    private static void ScrambleCellEdges(byte[] frame, RgbFrameCodec codec, Random random)
    {
        var size = codec.CellSize;
        for (var y = 0; y < codec.CellsDown * size; y++)
        {
            for (var x = 0; x < codec.CellsAcross * size; x++)
            {
                var (ix, iy) = (x % size, y % size);
                if (ix == 0 || iy == 0 || ix == size - 1 || iy == size - 1)
                {
                    random.NextBytes(frame.AsSpan(((y * codec.Width) + x) * 3, 3));
                }
            }
        }
    }
}

using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Errors;
using Isg.Protocol.Frames;
using QRCoder;

namespace Isg.Protocol.Tests.Frames;

public sealed class QrFrameCodecTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void TryDecode_FullFrameAtModuleSize_RoundTripsBitExact(int moduleSize)
    {
        var codec = new QrFrameCodec(480, 300, moduleSize, 5, QrErrorCorrection.M);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, moduleSize);

        var decoded = RoundTrip(codec, payload);

        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_RandomGeometryAndFill_RoundTripsBitExact()
    {
        var cases = from module in Gen.Choose(2, 4)
                    from version in Gen.Elements(1, 3, 5, 8, 10)
                    from level in Gen.Elements(QrErrorCorrection.L, QrErrorCorrection.M, QrErrorCorrection.Q, QrErrorCorrection.H)
                    let smallest = (QrFrameCodec.SymbolModules(version) + (2 * QrFrameCodec.QuietZoneModules)) * module
                    from width in Gen.Choose(smallest, smallest + 250)
                    from height in Gen.Choose(smallest, smallest + 120)
                    from fill in Gen.Choose(0, 100)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (module, version, level, width, height, fill, seed);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var codec = new QrFrameCodec(c.width, c.height, c.module, c.version, c.level);
            var payload = RandomPayload(codec.PayloadBytesPerFrame * c.fill / 100, c.seed);

            var decoded = RoundTrip(codec, payload);

            Assert.Equal(payload, decoded[..payload.Length]);
            Assert.All(decoded[payload.Length..], b => Assert.Equal(0, b));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(25));
    }

    [Fact]
    public void TryDecode_FactoryProfileAt1920x1080_RoundTripsBitExact()
    {
        var codec = (QrFrameCodec)FrameCodecFactory.Create(VideoMode.Qr, 1920, 1080, 2, 0);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, 42);

        var decoded = RoundTrip(codec, payload);

        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_SomeTilesBlanked_ThoseRangesAreZeroAndTheRestExact()
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, 9);
        var frame = new byte[codec.FrameBytes];
        codec.Encode(payload, frame);
        int[] blanked = [0, 3, codec.TileCount - 1];
        foreach (var tile in blanked)
        {
            var (x, y, size) = codec.TileBounds(tile);
            for (var row = y; row < y + size; row++)
            {
                frame.AsSpan((row * codec.Width) + x, size).Fill(255);
            }
        }

        var decoded = new byte[codec.PayloadBytesPerFrame];
        Assert.True(codec.TryDecode(frame, decoded, out var written, out var error), error.ToString());

        Assert.Equal(codec.PayloadBytesPerFrame, written);
        var per = codec.PayloadBytesPerTile;
        for (var tile = 0; tile < codec.TileCount; tile++)
        {
            var range = new Range(tile * per, (tile + 1) * per);
            if (blanked.Contains(tile))
            {
                Assert.All(decoded[range], b => Assert.Equal(0, b));
            }
            else
            {
                Assert.Equal(payload[range], decoded[range]);
            }
        }
    }

    [Fact]
    public void TryDecode_TilesInShuffledPositions_PlacesEachByItsIndex()
    {
        // Swap the pixels of two tiles: the decoder must follow the index inside each code, not its position.
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);
        var payload = RandomPayload(codec.PayloadBytesPerFrame, 11);
        var frame = new byte[codec.FrameBytes];
        codec.Encode(payload, frame);
        var (ax, ay, size) = codec.TileBounds(1);
        var (bx, by, _) = codec.TileBounds(codec.TileCount - 2);
        for (var row = 0; row < size; row++)
        {
            var a = frame.AsSpan(((ay + row) * codec.Width) + ax, size);
            var b = frame.AsSpan(((by + row) * codec.Width) + bx, size);
            var copy = a.ToArray();
            b.CopyTo(a);
            copy.CopyTo(b);
        }

        var decoded = RoundTripFrame(codec, frame);

        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void TryDecode_BlankFrame_ReturnsFalseWithMalformed()
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);
        var frame = new byte[codec.FrameBytes];
        frame.AsSpan().Fill(255);

        var ok = codec.TryDecode(frame, new byte[codec.PayloadBytesPerFrame], out var written, out var error);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.Equal(ProtocolErrorKind.Malformed, error.Kind);
    }

    [Fact]
    public void TryDecode_NoiseFrame_ReturnsFalseWithMalformed()
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);

        var ok = codec.TryDecode(RandomPayload(codec.FrameBytes, 1), new byte[codec.PayloadBytesPerFrame], out _, out var error);

        Assert.False(ok);
        Assert.Equal(ProtocolErrorKind.Malformed, error.Kind);
    }

    [Fact]
    public void TryDecode_ForeignQrCode_IsIgnored()
    {
        // A code of another size (not one of our tiles) on an otherwise blank frame yields no tile.
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);
        var frame = new byte[codec.FrameBytes];
        frame.AsSpan().Fill(255);
        using var foreign = QRCodeGenerator.GenerateQrCode([0, 1, 2, 3, 4], QRCodeGenerator.ECCLevel.M);
        for (var y = 0; y < foreign.ModuleMatrix.Count; y++)
        {
            for (var x = 0; x < foreign.ModuleMatrix.Count; x++)
            {
                if (foreign.ModuleMatrix[y][x])
                {
                    for (var d = 0; d < 4; d++)
                    {
                        frame[(((20 + (2 * y) + (d / 2)) * codec.Width) + 20 + (2 * x) + (d % 2))] = 0;
                    }
                }
            }
        }

        var ok = codec.TryDecode(frame, new byte[codec.PayloadBytesPerFrame], out _, out var error);

        Assert.False(ok);
        Assert.Equal(ProtocolErrorKind.Malformed, error.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(143_999)]
    [InlineData(144_001)]
    public void TryDecode_WrongFrameLength_ReturnsFalseWithBadField(int length)
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);

        var ok = codec.TryDecode(new byte[length], new byte[codec.PayloadBytesPerFrame], out var written, out var error);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
    }

    [Fact]
    public void TryDecode_PayloadBufferTooShort_Throws()
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);

        Assert.Throws<ArgumentException>(() => codec.TryDecode(new byte[codec.FrameBytes], new byte[codec.PayloadBytesPerFrame - 1], out _, out _));
    }

    [Fact]
    public void Encode_WrongLengths_Throw()
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);

        Assert.Throws<ArgumentException>(() => codec.Encode([], new byte[codec.FrameBytes + 1]));
        Assert.Throws<ArgumentException>(() => codec.Encode(new byte[codec.PayloadBytesPerFrame + 1], new byte[codec.FrameBytes]));
    }

    [Fact]
    public void Encode_Layout_CentresTheGridOnWhite()
    {
        var codec = new QrFrameCodec(480, 300, 2, 5, QrErrorCorrection.M);
        var frame = new byte[codec.FrameBytes];

        codec.Encode([], frame);

        // 480 / 2 = 240 modules: (240 - 4) / 41 = 5 across; 150 modules: (150 - 4) / 41 = 3 down.
        Assert.Equal((5, 3, 15), (codec.TilesAcross, codec.TilesDown, codec.TileCount));
        Assert.Equal(83, codec.PayloadBytesPerTile);
        var (x, y, size) = codec.TileBounds(0);
        Assert.Equal((39, 31, 74), (x, y, size));
        Assert.Equal(0, frame[(y * codec.Width) + x]);
        Assert.Equal(255, frame[((y - 1) * codec.Width) + x - 1]);
        Assert.All(frame.AsSpan(0, codec.Width * y).ToArray(), b => Assert.Equal(255, b));
    }

    [Fact]
    public void Constructor_HugeFrameOfSmallCodes_CapsTilesAt256()
    {
        var codec = new QrFrameCodec(1920, 1080, 2, 1, QrErrorCorrection.L);

        Assert.Equal(QrFrameCodec.MaxTiles, codec.TileCount);
        Assert.Equal(256 * 16, codec.PayloadBytesPerFrame);
    }

    [Fact]
    public void ByteCapacityTable_EveryVersionAndLevel_MatchesQrCodersVersionChoice()
    {
        (QrErrorCorrection Ours, QRCodeGenerator.ECCLevel Theirs)[] levels =
        [
            (QrErrorCorrection.L, QRCodeGenerator.ECCLevel.L), (QrErrorCorrection.M, QRCodeGenerator.ECCLevel.M),
            (QrErrorCorrection.Q, QRCodeGenerator.ECCLevel.Q), (QrErrorCorrection.H, QRCodeGenerator.ECCLevel.H),
        ];
        foreach (var version in new[] { 1, 2, 9, 10, 15, 20, 26, 27, 39, 40 })
        {
            foreach (var (ours, theirs) in levels)
            {
                var capacity = new QrFrameCodec(16384, 16384, 2, version, ours).TileBytes;

                using (var full = QRCodeGenerator.GenerateQrCode(new byte[capacity], theirs))
                {
                    Assert.Equal(version, full.Version);
                }

                if (version < QrFrameCodec.MaxVersion)
                {
                    using var over = QRCodeGenerator.GenerateQrCode(new byte[capacity + 1], theirs);
                    Assert.Equal(version + 1, over.Version);
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 5, "moduleSize")]
    [InlineData(11, 5, "moduleSize")]
    [InlineData(2, 0, "version")]
    [InlineData(2, 41, "version")]
    public void Constructor_OutOfRangeArgument_ThrowsNamingIt(int moduleSize, int version, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QrFrameCodec(1920, 1080, moduleSize, version, QrErrorCorrection.M));

        Assert.Equal(name, error.ParamName);
    }

    [Theory]
    [InlineData(80, 300, "width")]
    [InlineData(480, 80, "height")]
    public void Constructor_FrameTooSmallForOneCode_ThrowsNamingTheDimension(int width, int height, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QrFrameCodec(width, height, 2, 5, QrErrorCorrection.M));

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Constructor_UnknownErrorCorrection_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QrFrameCodec(480, 300, 2, 5, (QrErrorCorrection)9));

        Assert.Equal("errorCorrection", error.ParamName);
    }

    [Fact]
    public void TryDecode_ManyThreadsAtOnce_AllRoundTrip()
    {
        var codec = new QrFrameCodec(320, 200, 2, 3, QrErrorCorrection.L);

        Parallel.For(0, 16, i =>
        {
            var payload = RandomPayload(codec.PayloadBytesPerFrame, i);
            Assert.Equal(payload, RoundTrip(codec, payload));
        });
    }

    private static byte[] RoundTrip(QrFrameCodec codec, byte[] payload)
    {
        var frame = new byte[codec.FrameBytes];
        codec.Encode(payload, frame);
        return RoundTripFrame(codec, frame);
    }

    private static byte[] RoundTripFrame(QrFrameCodec codec, byte[] frame)
    {
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
}

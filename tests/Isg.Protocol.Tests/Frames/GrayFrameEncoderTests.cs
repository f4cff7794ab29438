using Isg.Protocol.Frames;

namespace Isg.Protocol.Tests.Frames;

public sealed class GrayFrameEncoderTests
{
    [Fact]
    public void Encode_Gray4Symbols_UsesGrayCodedLevelsAndGreyBorder()
    {
        // 0b00_01_11_10: symbols 0,1,3,2 are the levels 0,85,170,255 in order.
        var geometry = new FrameGeometry(9, 3, 2, FrameMode.Gray4);
        var frame = new byte[geometry.FrameBytes];

        GrayFrameEncoder.Encode([0b00_01_11_10], geometry, frame);

        byte[] row = [0, 0, 85, 85, 170, 170, 255, 255, 128];
        Assert.Equal(row, frame[..9]);
        Assert.Equal(row, frame[9..18]);
        Assert.All(frame[18..], p => Assert.Equal(128, p));
    }

    [Fact]
    public void Encode_BlackWhite_MsbFirstAndShortPayloadLeavesBlack()
    {
        var geometry = new FrameGeometry(16, 2, 1, FrameMode.BlackWhite);
        var frame = new byte[geometry.FrameBytes];

        GrayFrameEncoder.Encode([0b1010_0001], geometry, frame);

        byte[] expected = [255, 0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(expected, frame[..16]);
        Assert.All(frame[16..], p => Assert.Equal(0, p));
    }

    [Fact]
    public void Encode_WrongFrameLength_Throws()
    {
        var geometry = new FrameGeometry(16, 16, 4, FrameMode.Gray4);

        Assert.Throws<ArgumentException>(() => GrayFrameEncoder.Encode([1], geometry, new byte[255]));
    }

    [Fact]
    public void Encode_PayloadLongerThanFrame_Throws()
    {
        var geometry = new FrameGeometry(16, 16, 4, FrameMode.Gray4);

        Assert.Throws<ArgumentException>(() => GrayFrameEncoder.Encode(new byte[5], geometry, new byte[256]));
    }
}

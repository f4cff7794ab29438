using Isg.Protocol.Errors;
using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class HeaderFrameTests
{
    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1280, 720)]
    [InlineData(320, 240)]
    [InlineData(96, 54)]
    public void TryRead_RenderedAtAnySize_ReadsBack(int width, int height)
    {
        var header = VideoTestData.ClearHeader();
        var frame = new byte[width * height];
        HeaderFrame.Render(header, width, height, frame);

        Assert.True(HeaderFrame.TryRead(frame, width, height, out var read, out var error), error.ToString());
        Assert.Equal(header.Parameters, read.Parameters);
        Assert.Equal(header.MetadataBlob, read.MetadataBlob);
    }

    [Theory]
    [InlineData(1280, 720)]
    [InlineData(640, 360)]
    [InlineData(2560, 1440)]
    public void TryRead_ScaledByThePlatform_ReadsBack(int width, int height)
    {
        var header = VideoTestData.ClearHeader();
        var frame = new byte[1920 * 1080];
        HeaderFrame.Render(header, 1920, 1080, frame);

        var scaled = Resample(frame, 1920, 1080, width, height);

        Assert.True(HeaderFrame.TryRead(scaled, width, height, out var read, out var error), error.ToString());
        Assert.Equal(header.StreamTag, read.StreamTag);
    }

    [Fact]
    public void TryRead_SqueezedContrastNoiseAndADamagedBand_ReadsBack()
    {
        var header = VideoTestData.ClearHeader();
        const int width = 960, height = 540;
        var frame = new byte[width * height];
        HeaderFrame.Render(header, width, height, frame);
        var random = new Random(17);
        for (var i = 0; i < frame.Length; i++)
        {
            // Levels squeezed to 50..190 (a limited-range round trip and then some), plus noise of ±30.
            frame[i] = (byte)Math.Clamp(50 + (frame[i] * 140 / 255) + random.Next(-30, 31), 0, 255);
        }

        // A band of garbage across the data rows: 4 of 54 cell rows, what a lost slice looks like.
        for (var y = 10; y < 50; y++)
        {
            random.NextBytes(frame.AsSpan(y * width, width));
        }

        Assert.True(HeaderFrame.TryRead(frame, width, height, out var read, out var error), error.ToString());
        Assert.Equal(header.PayloadLength, read.PayloadLength);
    }

    [Fact]
    public void TryRead_NotAHeaderFrame_IsBadMagic()
    {
        var grey = new byte[320 * 240];
        Array.Fill(grey, (byte)128);
        Assert.False(HeaderFrame.TryRead(grey, 320, 240, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadMagic, error.Kind);

        var noise = new byte[320 * 240];
        new Random(2).NextBytes(noise);
        Assert.False(HeaderFrame.TryRead(noise, 320, 240, out _, out error));
        Assert.Equal(ProtocolErrorKind.BadMagic, error.Kind);
    }

    [Fact]
    public void TryRead_FrameTooSmallOrWrongLength_IsBadField()
    {
        Assert.False(HeaderFrame.TryRead(new byte[50 * 50], 50, 50, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
        Assert.False(HeaderFrame.TryRead(new byte[10], 320, 240, out _, out error));
        Assert.Equal(ProtocolErrorKind.BadField, error.Kind);
    }

    // Area-average (down) or bilinear-ish nearest (up) resampling, as a scaler on the platform's side would do.
    private static byte[] Resample(byte[] source, int width, int height, int newWidth, int newHeight)
    {
        var result = new byte[newWidth * newHeight];
        for (var y = 0; y < newHeight; y++)
        {
            int y0 = y * height / newHeight, y1 = Math.Max(y0 + 1, (y + 1) * height / newHeight);
            for (var x = 0; x < newWidth; x++)
            {
                int x0 = x * width / newWidth, x1 = Math.Max(x0 + 1, (x + 1) * width / newWidth);
                var sum = 0;
                for (var sy = y0; sy < y1; sy++)
                {
                    for (var sx = x0; sx < x1; sx++)
                    {
                        sum += source[(sy * width) + sx];
                    }
                }

                result[(y * newWidth) + x] = (byte)(sum / ((y1 - y0) * (x1 - x0)));
            }
        }

        return result;
    }
}

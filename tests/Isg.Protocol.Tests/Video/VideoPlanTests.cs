using Isg.Protocol.Video;

namespace Isg.Protocol.Tests.Video;

public sealed class VideoPlanTests
{
    [Fact]
    public void Plan_ShortLastGroupAndFrame_CountsAndLocatesEveryFrame()
    {
        // 10 data frames of 100 bytes (the last holds 50), groups of 4 + 2: groups of 4, 4 and 2 data frames.
        var plan = new VideoPlan(950, 100, 4, 2);

        Assert.Equal(10, plan.DataFrames);
        Assert.Equal(3, plan.Groups);
        Assert.Equal(16, plan.TotalFrames);
        Assert.Equal(2, plan.DataFramesIn(2));
        Assert.Equal(12, plan.FirstFrameOf(2));
        Assert.Equal((2, 1), plan.Locate(13));
        Assert.Equal(FrameKind.Data, plan.KindOf(13));
        Assert.Equal(FrameKind.Parity, plan.KindOf(14));
        Assert.Equal(FrameKind.Parity, plan.KindOf(5));
        Assert.Equal(50, plan.PayloadLengthOf(13));
        Assert.Equal(100, plan.PayloadLengthOf(12));

        long sum = 0;
        for (var i = 0; i < plan.TotalFrames; i++)
        {
            sum += plan.KindOf(i) == FrameKind.Data ? plan.PayloadLengthOf(i) : 0;
        }

        Assert.Equal(950, sum);
    }

    [Fact]
    public void Plan_EmptyPayload_HasNoFrames()
    {
        var plan = new VideoPlan(0, 100, 4, 2);
        Assert.Equal(0, plan.DataFrames);
        Assert.Equal(0, plan.TotalFrames);
    }

    [Fact]
    public void Plan_NoParity_IsJustDataFrames()
    {
        var plan = new VideoPlan(1000, 100, 3, 0);
        Assert.Equal(10, plan.TotalFrames);
        Assert.Equal(4, plan.Groups);
        Assert.Equal(FrameKind.Data, plan.KindOf(9));
    }
}

using Isg.Actors.Striping;

namespace Isg.Actors.Tests.Striping;

public sealed class RedundancyPolicyTests
{
    [Theory]
    [InlineData("0", 0, 0)]
    [InlineData("none", 0, 0)]
    [InlineData("5", 20, 1)]
    [InlineData("10%", 10, 1)]
    [InlineData("20", 10, 2)]
    [InlineData("50", 4, 2)]
    [InlineData("2+1", 2, 1)]
    [InlineData(" 64 + 32 ", 64, 32)]
    public void TryParse_ValidValue_GivesKAndM(string text, int k, int m)
    {
        Assert.True(RedundancyPolicy.TryParse(text, out var policy, out var error), error);
        Assert.Equal((k, m), (policy.DataShards, policy.ParityShards));
        Assert.Equal(k == 0, policy.IsNone);
        Assert.Equal(policy, RedundancyPolicy.Parse(policy.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("65+1")]
    [InlineData("4+33")]
    [InlineData("0+2")]
    [InlineData("4+0")]
    [InlineData("4+")]
    [InlineData("-1+2")]
    [InlineData("a+b")]
    public void TryParse_InvalidValue_FailsWithAReason(string text)
    {
        Assert.False(RedundancyPolicy.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => RedundancyPolicy.Parse(text));
    }

    [Fact]
    public void Default_Is10Plus2() => Assert.Equal("10+2", RedundancyPolicy.Default.ToString());
}

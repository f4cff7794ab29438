using Isg.TestKit;
using Xunit.Sdk;

namespace Isg.Actors.Tests.TestKit;

public sealed class TestProbeTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task ExpectMessageAsync_MessagesTold_ReturnedInOrderAndRecorded()
    {
        var probe = new TestProbe<string>("p");

        probe.Tell("a");
        Assert.True(probe.TryTell("b"));
        probe.Reply("c");

        Assert.Equal("a", await probe.ExpectMessageAsync(Within));
        Assert.Equal("b", await probe.ExpectMessageAsync(Within));
        Assert.Equal("c", await probe.ExpectMessageAsync(Within));
        Assert.Equal(["a", "b", "c"], probe.Received);
        Assert.Equal("/$probe/p", probe.Path);
    }

    [Fact]
    public async Task ExpectMessageAsync_NothingArrives_FailsTest()
    {
        var probe = new TestProbe<string>();

        var error = await Assert.ThrowsAsync<XunitException>(() => probe.ExpectMessageAsync(Short));

        Assert.Contains("expected a message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpectMessageAsyncTyped_WrongType_FailsTest()
    {
        var probe = new TestProbe<object>();
        probe.Tell(42);
        probe.Tell("text");

        Assert.Equal(42, await probe.ExpectMessageAsync<int>(Within));
        await Assert.ThrowsAsync<XunitException>(() => probe.ExpectMessageAsync<int>(Within));
    }

    [Fact]
    public async Task ExpectNoMessageAsync_MessageArrives_FailsTest()
    {
        var probe = new TestProbe<string>();
        await probe.ExpectNoMessageAsync(Short);

        probe.Tell("unexpected");

        await Assert.ThrowsAsync<XunitException>(() => probe.ExpectNoMessageAsync(Short));
    }

    [Fact]
    public async Task FishForMessageAsync_SkipsUntilMatch()
    {
        var probe = new TestProbe<int>();
        for (var i = 0; i < 5; i++)
        {
            await probe.TellAsync(i, CancellationToken.None);
        }

        Assert.Equal(3, await probe.FishForMessageAsync(n => n == 3, Within));
        Assert.Equal(4, await probe.ExpectMessageAsync(Within));
        await Assert.ThrowsAsync<XunitException>(() => probe.FishForMessageAsync(n => n == 9, Short));
    }
}

using Isg.Actors.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Actors.Tests.Discovery;

public sealed class StaticPeerTests
{
    [Theory]
    [InlineData("10.0.0.5:7000", "10.0.0.5", 7000)]
    [InlineData("10.0.0.5", "10.0.0.5", 7420)]
    [InlineData("nas.lan:7421", "nas.lan", 7421)]
    [InlineData("nas.lan", "nas.lan", 7420)]
    [InlineData("[fe80::1]:7000", "fe80::1", 7000)]
    [InlineData("[::1]", "::1", 7420)]
    [InlineData("fd00::5", "fd00::5", 7420)]
    [InlineData("  box:1  ", "box", 1)]
    public void TryParse_Forms_HostAndPort(string text, string host, int port)
    {
        Assert.True(StaticPeer.TryParse(text, null, 7420, out var peer, out var error), error.Message);
        Assert.Equal(host, peer!.Host);
        Assert.Equal(port, peer.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("box:0")]
    [InlineData("box:65536")]
    [InlineData("box:http")]
    [InlineData(":7000")]
    [InlineData("[fe80::1")]
    [InlineData("[fe80::1]x")]
    [InlineData("two words:1")]
    public void TryParse_Bad_FailsTyped(string? text)
    {
        Assert.False(StaticPeer.TryParse(text, null, 7420, out var peer, out var error));
        Assert.Null(peer);
        Assert.Equal(ProtocolErrorKind.BadText, error.Kind);
    }

    [Fact]
    public void ToString_BracketsIPv6()
    {
        Assert.Equal("[fe80::1]:7000", new StaticPeer(null, "fe80::1", 7000).ToString());
        Assert.Equal("nas:7000", new StaticPeer(null, "nas", 7000).ToString());
    }
}

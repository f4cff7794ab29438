using Isg.Protocol.Crdt;
using static Isg.Protocol.Tests.Crdt.CrdtSamples;

namespace Isg.Protocol.Tests.Crdt;

public sealed class ConflictCopyNameTests
{
    [Theory]
    [InlineData("report.txt", "report.conflict-{L}-{W}.txt")]
    [InlineData("docs/report.tar.gz", "docs/report.tar.conflict-{L}-{W}.gz")]
    [InlineData("docs/Makefile", "docs/Makefile.conflict-{L}-{W}")]
    [InlineData("a/.bashrc", "a/.bashrc.conflict-{L}-{W}")]
    public void For_NamesBothDevicesAndKeepsExtension(string path, string expected)
    {
        var loser = Device(1);
        var winner = Device(2);

        var copy = ConflictCopyName.For(path, loser, winner);

        Assert.Equal(expected.Replace("{L}", loser.ShortId, StringComparison.Ordinal).Replace("{W}", winner.ShortId, StringComparison.Ordinal), copy);
    }

    [Fact]
    public void For_DifferentLosers_DifferentNames()
    {
        Assert.NotEqual(ConflictCopyName.For("x.txt", Device(1), Device(3)), ConflictCopyName.For("x.txt", Device(2), Device(3)));
    }
}

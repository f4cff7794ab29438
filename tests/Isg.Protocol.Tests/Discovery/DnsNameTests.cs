using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Tests.Discovery;

public sealed class DnsNameTests
{
    [Theory]
    [InlineData("_isg._tcp.local", new[] { "_isg", "_tcp", "local" })]
    [InlineData("_isg._tcp.local.", new[] { "_isg", "_tcp", "local" })]
    [InlineData(@"My\.Box._isg._tcp.local", new[] { "My.Box", "_isg", "_tcp", "local" })]
    [InlineData(@"Test\032Svc.local", new[] { "Test Svc", "local" })]
    [InlineData(@"back\\slash.local", new[] { @"back\slash", "local" })]
    [InlineData("Büro Drucker.local", new[] { "Büro Drucker", "local" })]
    [InlineData(".", new string[0])]
    [InlineData("", new string[0])]
    public void TryParse_PresentationForm_GivesLabels(string text, string[] labels)
    {
        Assert.True(DnsName.TryParse(text, out var name, out var error), error.Message);
        Assert.Equal(labels, name!.Labels);
    }

    [Theory]
    [InlineData("a..local", ProtocolErrorKind.BadText)]
    [InlineData(".local", ProtocolErrorKind.BadText)]
    [InlineData(@"a\", ProtocolErrorKind.BadText)]
    [InlineData(@"a\12", ProtocolErrorKind.BadText)]
    [InlineData(@"a\300.local", ProtocolErrorKind.BadText)]
    [InlineData(null, ProtocolErrorKind.BadText)]
    public void TryParse_BadText_FailsTyped(string? text, ProtocolErrorKind kind)
    {
        Assert.False(DnsName.TryParse(text, out var name, out var error));
        Assert.Null(name);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void TryParse_LabelOver63Bytes_TooLarge()
    {
        Assert.False(DnsName.TryParse(new string('a', 64) + ".local", out _, out var error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);

        // 63 bytes is the limit in bytes of UTF-8, not characters: 32 'ü' are 64 bytes.
        Assert.True(DnsName.TryParse(new string('a', 63), out _, out _));
        Assert.False(DnsName.TryParse(new string('ü', 32), out _, out error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
    }

    [Fact]
    public void FromLabels_WireOver255Bytes_Throws()
    {
        var label = new string('a', 63);
        var fits = DnsName.FromLabels(label, label, label, new string('b', 61));
        Assert.Equal(255, fits.WireLength);
        Assert.Throws<ArgumentException>(() => DnsName.FromLabels(label, label, label, new string('b', 62)));
        Assert.Throws<ArgumentException>(() => fits.Prepend("x"));
        Assert.Throws<ArgumentException>(() => DnsName.FromLabels("a", "", "local"));
    }

    [Fact]
    public void ToString_EscapesDotsBackslashesAndControls_ParsesBack()
    {
        var name = DnsName.FromLabels("a.b", @"c\d", "tab\there", "local");
        var text = name.ToString();
        Assert.Equal(@"a\.b.c\\d.tab\009here.local", text);
        Assert.Equal(name.Labels, DnsName.Parse(text).Labels);
        Assert.Equal(".", DnsName.Root.ToString());
    }

    [Fact]
    public void Equals_AsciiCaseInsensitive_HashesAgree()
    {
        var a = DnsName.Parse("MyHost._ISG._tcp.Local");
        var b = DnsName.Parse("myhost._isg._TCP.local");
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(DnsName.Parse("myhost.local"), DnsName.Parse("myhost2.local"));

        // Only ASCII letters fold (RFC 6762 §16); 'Ü' and 'ü' stay different.
        Assert.NotEqual(DnsName.Parse("Ü.local"), DnsName.Parse("ü.local"));

        // '@' (0x40) and '`' (0x60) differ only in bit 0x20 but are not letters.
        Assert.NotEqual(DnsName.Parse("@.local"), DnsName.Parse("`.local"));
    }

    [Fact]
    public void EndsWith_Suffixes_CaseInsensitive()
    {
        var name = DnsName.Parse("abc._isg._tcp.local");
        Assert.True(name.EndsWith(DnsName.Parse("_ISG._tcp.local")));
        Assert.True(name.EndsWith(DnsName.Root));
        Assert.True(name.EndsWith(name));
        Assert.False(name.EndsWith(DnsName.Parse("_udp.local")));
        Assert.False(DnsName.Parse("local").EndsWith(name));
    }

    [Fact]
    public void PrependAndParent_AreInverse()
    {
        var service = DnsName.Parse("_isg._tcp.local");
        var instance = service.Prepend("ABC DEF");
        Assert.Equal(["ABC DEF", "_isg", "_tcp", "local"], instance.Labels);
        Assert.Equal(service, instance.Parent);
        Assert.Equal(service.WireLength, instance.Parent.WireLength);
        Assert.Same(DnsName.Root, DnsName.Root.Parent);
    }
}

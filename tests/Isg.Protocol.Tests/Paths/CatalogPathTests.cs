using Isg.Protocol.Errors;
using Isg.Protocol.Paths;

namespace Isg.Protocol.Tests.Paths;

public sealed class CatalogPathTests
{
    [Theory]
    [InlineData("photos", "photos")]
    [InlineData("./photos/", "photos")]
    [InlineData("/home/u/photos", "home/u/photos")]
    [InlineData("a//b/./c", "a/b/c")]
    [InlineData("a/b/../c", "a/c")]
    [InlineData("", "")]
    [InlineData("/", "")]
    [InlineData("naïve/日本語 file.txt", "naïve/日本語 file.txt")]
    public void TryNormalize_ValidText_GivesCanonicalPath(string text, string expected)
    {
        Assert.True(CatalogPath.TryNormalize(text, out var path, out _));
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/../../b")]
    [InlineData("a\0b")]
    public void TryNormalize_BadText_ReturnsTypedError(string text)
    {
        Assert.False(CatalogPath.TryNormalize(text, out _, out var error));
        Assert.Equal(ProtocolErrorKind.BadText, error.Kind);
    }

    [Fact]
    public void TryNormalize_TooLong_ReturnsTooLarge()
    {
        Assert.False(CatalogPath.TryNormalize(new string('a', CatalogPath.MaxLength + 1), out _, out var error));
        Assert.Equal(ProtocolErrorKind.TooLarge, error.Kind);
    }

    [Theory]
    [InlineData("dir", "dir", true)]
    [InlineData("dir/a", "dir", true)]
    [InlineData("dirx/a", "dir", false)]
    [InlineData("anything", "", true)]
    [InlineData("di", "dir", false)]
    public void IsUnder_Prefixes_MatchWholeSegments(string path, string prefix, bool expected) =>
        Assert.Equal(expected, CatalogPath.IsUnder(path, prefix));

    [Fact]
    public void RelativeTo_AndName_SplitPaths()
    {
        Assert.Equal("b/c", CatalogPath.RelativeTo("a/b/c", "a"));
        Assert.Equal(string.Empty, CatalogPath.RelativeTo("a", "a"));
        Assert.Equal("a/b", CatalogPath.RelativeTo("a/b", string.Empty));
        Assert.Equal("c", CatalogPath.Name("a/b/c"));
        Assert.Throws<ArgumentException>(() => CatalogPath.RelativeTo("x", "a"));
    }
}

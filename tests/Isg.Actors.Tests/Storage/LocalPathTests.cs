using Isg.Actors.Storage;

namespace Isg.Actors.Tests.Storage;

public sealed class LocalPathTests
{
    [Theory]
    [InlineData("/a/b", "/a/b", true)]
    [InlineData("/a/b/c", "/a/b", true)]
    [InlineData("/a/b/c", "/a/b/", true)]
    [InlineData("/a/bc", "/a/b", false)]
    [InlineData("/a", "/a/b", false)]
    [InlineData("/anything", "/", true)]
    public void IsAtOrBelow_Paths_MatchWholeSegments(string path, string root, bool expected) =>
        Assert.Equal(expected, LocalPath.IsAtOrBelow(path, root));
}

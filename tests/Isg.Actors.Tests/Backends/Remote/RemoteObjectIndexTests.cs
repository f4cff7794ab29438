using Isg.Actors.Backends.Remote;

namespace Isg.Actors.Tests.Backends.Remote;

public sealed class RemoteObjectIndexTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void TryGet_AfterReopen_ReturnsWhatWasPut()
    {
        var path = _temp.Combine("state", "index.db");
        using (var index = RemoteObjectIndex.Open(path))
        {
            index.Put(new RemoteObject("aa", ["m1", "m2"], 20_000_000));
            index.Put(new RemoteObject("bb", ["v9"], 5));
            index.Put(new RemoteObject("bb", ["v10"], 6));
            index.Remove("cc");
        }

        using var reopened = RemoteObjectIndex.Open(path);

        Assert.True(reopened.TryGet("aa", out var aa));
        Assert.Equal(["m1", "m2"], aa.Parts);
        Assert.Equal(20_000_000, aa.Length);
        Assert.True(reopened.TryGet("bb", out var bb));
        Assert.Equal(["v10"], bb.Parts);
        Assert.False(reopened.TryGet("cc", out _));
        Assert.Equal((2L, 20_000_006L), reopened.Usage());
        Assert.Equal(["aa", "bb"], reopened.All().Select(o => o.Name));
    }

    [Fact]
    public void Remove_RecordedObject_IsGone()
    {
        using var index = RemoteObjectIndex.Open(_temp.Combine("index.db"));
        index.Put(new RemoteObject("aa", ["m1"], 1));

        index.Remove("aa");

        Assert.False(index.TryGet("aa", out _));
        Assert.Equal((0L, 0L), index.Usage());
    }

    public void Dispose() => _temp.Dispose();
}

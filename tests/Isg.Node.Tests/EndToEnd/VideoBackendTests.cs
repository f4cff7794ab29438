using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg backend add video` through the real CLI: blocks packed into videos come back bit-exact by decoding them.</summary>
public sealed class VideoBackendTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Get_BlocksPackedIntoVideosWithTheCacheDeleted_RestoresBitExact()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("backend", "add", "video", "v", "--path", sandbox.PathOf("v"), "--profile", "lossless", "--pack-size", "1048576"))
            .AssertExit(0);
        (await sandbox.RunAsync("config", "set", "redundancy", "0")).AssertExit(0);
        var tree = new TestTree(sandbox.PathOf("t"), seed: 91);
        for (var i = 0; i < 4; i++)
        {
            tree.AddFile($"f{i}.bin", 600_000 + (i * 7_001));
        }

        tree.AddFile("small.txt", 100, ContentKind.Text);
        tree.Seal();
        (await sandbox.RunAsync("add", "t")).AssertExit(0);

        var list = (await sandbox.RunAsync("backend", "list", "--json")).AssertExit(0).Json();
        var video = list.EnumerateArray().Single(b => b.GetProperty("name").GetString() == "v");
        Assert.Equal("video", video.GetProperty("type").GetString());
        Assert.True(video.GetProperty("objects").GetInt64() > 0);
        Assert.NotEmpty(Directory.EnumerateFiles(sandbox.PathOf("v/videos"), "*.mkv"));
        Assert.Empty(Directory.EnumerateFiles(sandbox.PathOf("v/spool")));

        Directory.Delete(sandbox.PathOf("v/cache"), recursive: true);
        var restored = sandbox.PathOf("restored");
        (await sandbox.RunAsync("get", "t", "-o", restored)).AssertExit(0);
        TestTree.AssertSame(sandbox.PathOf("t"), restored);
        Assert.NotEmpty(Directory.EnumerateFiles(sandbox.PathOf("v/cache"), "*.payload"));
    }

    [Fact]
    public async Task BackendAdd_VideoWithBadProfileOrPackSize_IsRefused()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("backend", "add", "video", "v", "--path", sandbox.PathOf("v"), "--profile", "vhs")).AssertError(2, "vhs");
        (await sandbox.RunAsync("backend", "add", "video", "v", "--path", sandbox.PathOf("v"), "--pack-size", "10")).AssertError(2, "pack-size");
        (await sandbox.RunAsync("backend", "add", "local", "b", "--path", sandbox.PathOf("b"))).AssertExit(0);
        (await sandbox.RunAsync("backend", "add", "video", "v", "--path", sandbox.PathOf("b/v"))).AssertError(2, "overlaps");
        (await sandbox.RunAsync("backend", "add", "video", "v", "--path", sandbox.PathOf("v"))).AssertExit(0);
        var names = (await sandbox.RunAsync("backend", "list", "--json")).AssertExit(0).Json().EnumerateArray().Select(b => b.GetProperty("name").GetString()!);
        Assert.Equal(["b", "local", "v"], names);
    }
}

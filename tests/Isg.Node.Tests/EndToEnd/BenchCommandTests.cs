using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg bench erasure` through the real CLI, on tiny shards so it runs in a moment.</summary>
public sealed class BenchCommandTests(ITestOutputHelper output)
{
    private static readonly string[] s_quick = ["--sizes", "4K", "--trials", "1", "--min-seconds", "0.001"];

    [Fact]
    public async Task BenchErasure_Json_OneResultPerEngineShapeAndBuffer()
    {
        using var sandbox = new IsgSandbox(output);

        var json = (await sandbox.RunAsync(["bench", "erasure", "--shapes", "4+2,3+1", "--modes", "hot", "--buffers", "aligned,array", "--json", .. s_quick]))
            .AssertExit(0).Json();

        Assert.True(json.GetProperty("isalAvailable").GetBoolean());
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2 * 2 * 2, results.Count);
        Assert.Equal(4, results.Count(r => r.GetProperty("engine").GetString() == "isa-l"));
        Assert.Equal(4, results.Count(r => r.GetProperty("engine").GetString()!.StartsWith("managed/", StringComparison.Ordinal)));
        Assert.Equal(4, results.Count(r => r.GetProperty("buffers").GetString() == "array"));
        foreach (var result in results)
        {
            Assert.Equal(4096, result.GetProperty("shardBytes").GetInt32());
            Assert.Equal(1, result.GetProperty("stripes").GetInt32());
            Assert.True(result.GetProperty("encodeGBps").GetDouble() > 0);
            Assert.True(result.GetProperty("reconstructGBps").GetDouble() > 0);
        }
    }

    [Fact]
    public async Task BenchErasure_Stream_RotatesThrough256MiBOfData()
    {
        using var sandbox = new IsgSandbox(output);

        var json = (await sandbox.RunAsync("bench", "erasure", "--shapes", "4+2", "--sizes", "1M", "--modes", "stream", "--implementations", "managed",
            "--trials", "1", "--min-seconds", "0.001", "--json")).AssertExit(0).Json();

        var result = Assert.Single(json.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal("stream", result.GetProperty("mode").GetString());
        Assert.Equal(256 / 4, result.GetProperty("stripes").GetInt32());
        Assert.True(result.GetProperty("encodeGBps").GetDouble() > 0);
    }

    [Fact]
    public async Task BenchErasure_Table_OneRowPerCase()
    {
        using var sandbox = new IsgSandbox(output);

        var lines = (await sandbox.RunAsync(["bench", "erasure", "--shapes", "2+1", "--modes", "hot", .. s_quick])).AssertExit(0).Lines;

        Assert.Equal(3, lines.Count);
        Assert.StartsWith("k+m", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^2\+1\s+4 KiB\s+isa-l\s+aligned\s+hot\s+\d+\.\d\d\s+\d+\.\d\d$", lines[1]);
        Assert.Matches(@"^2\+1\s+4 KiB\s+managed/\w+\s+aligned\s+hot\s+\d+\.\d\d\s+\d+\.\d\d$", lines[2]);
    }

    [Theory]
    [InlineData("--shapes", "10-4", "--shapes")]
    [InlineData("--sizes", "1G", "--sizes")]
    [InlineData("--implementations", "cuda", "--implementations")]
    [InlineData("--modes", "cold", "--modes")]
    public async Task BenchErasure_BadOption_UsageError(string option, string value, string named)
    {
        using var sandbox = new IsgSandbox(output);

        (await sandbox.RunAsync("bench", "erasure", option, value)).AssertError(2, named);
    }
}

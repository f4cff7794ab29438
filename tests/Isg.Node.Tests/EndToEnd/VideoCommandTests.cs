using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg encode` / `isg decode` through the real CLI, without any repository.</summary>
public sealed class VideoCommandTests(ITestOutputHelper output)
{
    private static readonly string[] s_small = ["--profile", "lossless", "--width", "320", "--height", "240"];

    [Fact]
    public async Task EncodeDecode_WithoutARepository_RoundTripsUnderTheStoredName()
    {
        using var sandbox = new IsgSandbox(output);
        var original = WriteRandom(sandbox.PathOf("diary.txt"), 150_000);

        var encoded = (await sandbox.RunAsync(["encode", "diary.txt", "-o", "diary.mkv", .. s_small, "--json"])).AssertExit(0).Json();
        Directory.CreateDirectory(sandbox.PathOf("out"));
        var decoded = (await sandbox.RunAsync("decode", "diary.mkv", "-o", "out", "--json")).AssertExit(0).Json();

        Assert.Equal(150_000, encoded.GetProperty("fileBytes").GetInt64());
        Assert.Equal("diary.txt", decoded.GetProperty("name").GetString());
        Assert.Equal(original, await File.ReadAllBytesAsync(sandbox.PathOf("out/diary.txt")));
        Assert.False(Directory.Exists(sandbox.Repo));
    }

    [Fact]
    public async Task Decode_EncryptedVideo_NeedsTheRightPassphrase()
    {
        using var sandbox = new IsgSandbox(output);
        var original = WriteRandom(sandbox.PathOf("secret.bin"), 20_000);
        (await sandbox.RunAsync(["encode", "secret.bin", "-o", "secret.mkv", "--encrypt", .. s_small])).AssertExit(0);

        sandbox.Environment["ISG_PASSPHRASE"] = "not it";
        var wrong = (await sandbox.RunAsync("decode", "secret.mkv", "-o", "plain.bin")).AssertExit(4);
        sandbox.Environment["ISG_PASSPHRASE"] = sandbox.Passphrase;
        (await sandbox.RunAsync("decode", "secret.mkv", "-o", "plain.bin")).AssertExit(0);

        Assert.Contains("passphrase", wrong.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(original, await File.ReadAllBytesAsync(sandbox.PathOf("plain.bin")));
    }

    [Fact]
    public async Task Decode_NotAnIsgVideo_FailsWithDataCorrupt()
    {
        using var sandbox = new IsgSandbox(output);
        await File.WriteAllTextAsync(sandbox.PathOf("readme.txt"), "hello");

        var result = (await sandbox.RunAsync("decode", "readme.txt", "-o", "x.bin")).AssertExit(5);

        Assert.Contains("not a video", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sandbox.PathOf("x.bin")));
    }

    [Fact]
    public async Task Encode_FfmpegMissing_SaysHowToInstallIt()
    {
        using var sandbox = new IsgSandbox(output);
        WriteRandom(sandbox.PathOf("a.bin"), 100);
        sandbox.Environment["ISG_FFMPEG"] = "/nonexistent/ffmpeg";

        var result = (await sandbox.RunAsync(["encode", "a.bin", "-o", "a.mkv", .. s_small])).AssertExit(1);

        Assert.Contains("apt-get install ffmpeg", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sandbox.PathOf("a.mkv")));
    }

    [Fact]
    public async Task EncodeProbe_IdentityChannel_ReportsABitExactChannel()
    {
        using var sandbox = new IsgSandbox(output);

        var probe = (await sandbox.RunAsync("encode", "--probe", "lossless-copy", "--profile", "youtube", "--width", "640", "--height", "360",
            "--probe-bytes", "60000", "--json")).AssertExit(0).Json();

        Assert.True(probe.GetProperty("bitExact").GetBoolean());
        Assert.Equal(0, probe.GetProperty("framesDamaged").GetInt64());
        Assert.Equal(0.0, probe.GetProperty("rawBitErrorRate").GetDouble());
        Assert.True(probe.GetProperty("netBytesPerSecond").GetDouble() > 10_000);
    }

    [Fact]
    public async Task Encode_BadOverride_IsAUsageError()
    {
        using var sandbox = new IsgSandbox(output);
        WriteRandom(sandbox.PathOf("a.bin"), 100);

        var result = (await sandbox.RunAsync("encode", "a.bin", "-o", "a.mkv", "--cell", "11")).AssertExit(2);

        Assert.Contains("cell size", result.Stderr, StringComparison.Ordinal);
    }

    private static byte[] WriteRandom(string path, int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }
}

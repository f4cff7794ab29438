using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Isg.Actors.Catalog;
using Isg.Node.Cli.Output;
using Isg.Protocol.Peers;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg id` and `isg peer` through the real CLI.</summary>
public sealed class PeerCommandTests(ITestOutputHelper output)
{
    // A valid device id of no device here (Syncthing's documented example: same hash, base32 and check layout).
    private const string OtherId = "P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2";

    [Fact]
    public async Task Id_PrintsAStableDeviceIdAsTextJsonAndAQrCodeThatDecodes()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();

        var id = (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim();
        Assert.Matches("^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$", id);
        Assert.Equal(id, (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim());
        var json = (await sandbox.RunAsync("id", "--json")).AssertExit(0).Json();
        Assert.Equal(id, json.GetProperty("deviceId").GetString());
        Assert.Equal(id[..7], json.GetProperty("shortId").GetString());
        var identity = Path.Combine(sandbox.Repo, "identity", "node.pem");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identity));
        var pem = await File.ReadAllTextAsync(identity);
        Assert.Contains("-----BEGIN CERTIFICATE-----", pem, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);

        var qr = (await sandbox.RunAsync("id", "--qr")).AssertExit(0);
        Assert.Equal(id, qr.Lines[^1]);
        var modules = ReadHalfBlocks(qr.Lines.Take(qr.Lines.Count - 1).ToList());
        var expected = TerminalQrCode.Modules(id);
        // The drawing has the code's rows (an odd last row padded with quiet zone) and columns, light where the code is.
        Assert.Equal(expected[0].Length, modules[0].Length);
        for (var y = 0; y < expected.Length; y++)
        {
            Assert.Equal(expected[y], modules[y]);
        }

        if (Zbarimg() is { } zbarimg)
        {
            var image = Path.Combine(sandbox.Root, "qr.pgm");
            await File.WriteAllBytesAsync(image, Pgm(modules, scale: 6));
            var (code, decoded) = IsgSandbox.Exec(zbarimg, "--raw", "-q", image);
            Assert.True(code == 0, decoded);
            Assert.Equal(id, decoded.Split('\n')[0].Trim());
        }
    }

    [Fact]
    public async Task Id_RepositoryWithoutIdentity_CreatesOneOnFirstNeed_AndNoRepositoryIsAnError()
    {
        using var sandbox = new IsgSandbox(output);
        (await sandbox.RunAsync("id")).AssertError(3, "no Isg repository");
        await sandbox.InitAsync();
        var first = (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim();

        // A repository made before identities existed has no identity folder.
        Directory.Delete(Path.Combine(sandbox.Repo, "identity"), recursive: true);
        var created = (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim();

        Assert.NotEqual(first, created);
        Assert.True(File.Exists(Path.Combine(sandbox.Repo, "identity", "node.pem")));
        Assert.Equal(created, (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim());
    }

    [Fact]
    public async Task PeerAddListRemove_PairsUpdatesListsAndUnpairs()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        (await sandbox.RunAsync("peer", "list")).AssertExit(0);
        Assert.Empty((await sandbox.RunAsync("peer", "list", "--json")).AssertExit(0).Json().EnumerateArray());

        var added = (await sandbox.RunAsync("peer", "add", OtherId.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal),
            "--address", "10.1.2.3:7000", "--address", "nas.local", "--name", "nas")).AssertExit(0);
        Assert.Contains("paired with " + OtherId, added.Stdout, StringComparison.Ordinal);

        var peer = Assert.Single((await sandbox.RunAsync("peer", "list", "--json")).AssertExit(0).Json().EnumerateArray());
        Assert.Equal(OtherId, peer.GetProperty("deviceId").GetString());
        Assert.Equal("nas", peer.GetProperty("name").GetString());
        Assert.Equal("disconnected", peer.GetProperty("state").GetString());
        Assert.Equal("paired", peer.GetProperty("trust").GetString());
        Assert.Equal(["10.1.2.3:7000", "nas.local:7420"], peer.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!));
        Assert.Equal(JsonValueKind.Null, peer.GetProperty("lastSeen").ValueKind);
        Assert.Equal(0, peer.GetProperty("bytesIn").GetInt64());
        Assert.Equal(0, peer.GetProperty("bytesOut").GetInt64());

        var text = (await sandbox.RunAsync("peer", "list")).AssertExit(0);
        var line = Assert.Single(text.Lines);
        Assert.StartsWith(OtherId, line, StringComparison.Ordinal);
        Assert.Contains("disconnected", line, StringComparison.Ordinal);
        Assert.Contains("seen never", line, StringComparison.Ordinal);
        Assert.DoesNotContain("learned", line, StringComparison.Ordinal);

        // Where a running node's dial reached the device is listed after the given addresses.
        using (var catalog = CatalogDatabase.Open(sandbox.Repo))
        using (var writer = catalog.CreateWriter())
        {
            Assert.True(DeviceId.TryParse(OtherId, out var other, out _));
            Assert.True(writer.RememberPeerAddress(other, "192.168.7.9:7420"));
        }

        peer = Assert.Single((await sandbox.RunAsync("peer", "list", "--json")).AssertExit(0).Json().EnumerateArray());
        Assert.Equal(["192.168.7.9:7420"], peer.GetProperty("learnedAddresses").EnumerateArray().Select(a => a.GetString()!));
        Assert.EndsWith("10.1.2.3:7000 nas.local:7420 learned: 192.168.7.9:7420", Assert.Single((await sandbox.RunAsync("peer", "list")).AssertExit(0).Lines),
            StringComparison.Ordinal);

        // Adding again updates the name and keeps the addresses when none are given.
        Assert.Contains("updated " + OtherId, (await sandbox.RunAsync("peer", "add", OtherId, "--name", "attic")).AssertExit(0).Stdout, StringComparison.Ordinal);
        peer = Assert.Single((await sandbox.RunAsync("peer", "list", "--json")).AssertExit(0).Json().EnumerateArray());
        Assert.Equal("attic", peer.GetProperty("name").GetString());
        Assert.Equal(2, peer.GetProperty("addresses").GetArrayLength());

        (await sandbox.RunAsync("peer", "remove", OtherId)).AssertExit(0);
        Assert.Empty((await sandbox.RunAsync("peer", "list", "--json")).AssertExit(0).Json().EnumerateArray());
        (await sandbox.RunAsync("peer", "remove", OtherId)).AssertError(6, "not a peer");
    }

    [Fact]
    public async Task PeerAdd_BadIdsAddressesAndOwnId_AreRefusedClearly()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var own = (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim();

        (await sandbox.RunAsync("peer", "add", OtherId[..^1] + "3")).AssertError(2, "not a device id", "typo");
        (await sandbox.RunAsync("peer", "add", "not-an-id")).AssertError(2, "not a device id", "56 characters");
        (await sandbox.RunAsync("peer", "add", OtherId, "--address", "host:99999")).AssertError(2, "port");
        (await sandbox.RunAsync("peer", "add", OtherId, "--address", "bad host:1")).AssertError(2, "not a host name");
        (await sandbox.RunAsync("peer", "add", own)).AssertError(2, "own device id");
        (await sandbox.RunAsync("peer", "remove", "x")).AssertError(2, "not a device id");
        Assert.Empty((await sandbox.RunAsync("peer", "list", "--json")).AssertExit(0).Json().EnumerateArray());
    }

    [Fact]
    public async Task PeerSecret_SetFromStdinGeneratedAndCleared()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();

        var (code, stdout, stderr) = await RunWithStdinAsync(sandbox, "our home lab secret\n", "peer", "secret", "set");
        Assert.True(code == 0, stderr);
        Assert.Contains("cluster secret set", stdout, StringComparison.Ordinal);
        (code, _, stderr) = await RunWithStdinAsync(sandbox, "too short\n", "peer", "secret", "set");
        Assert.Equal(2, code);
        Assert.Contains("at least 16 characters", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RunWithStdinAsync(sandbox, string.Empty, "peer", "secret", "set");
        Assert.Equal(2, code);
        Assert.Contains("no secret", stderr, StringComparison.Ordinal);

        var generated = (await sandbox.RunAsync("peer", "secret", "set", "--generate")).AssertExit(0);
        Assert.Matches("^[A-Z2-7]{32}$", generated.Lines[0]);
        // The secret is stored sealed: the catalogue never holds it in the clear.
        var secret = Encoding.UTF8.GetBytes(generated.Lines[0]);
        foreach (var file in Directory.GetFiles(sandbox.Repo, "catalog.db*"))
        {
            Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(secret) < 0, file);
        }

        Assert.Contains("cluster secret removed", (await sandbox.RunAsync("peer", "secret", "clear")).AssertExit(0).Stdout, StringComparison.Ordinal);
        Assert.Contains("no cluster secret was set", (await sandbox.RunAsync("peer", "secret", "clear")).AssertExit(0).Stdout, StringComparison.Ordinal);
    }

    // Light (true) where a half block is drawn: two rows per text line.
    private static bool[][] ReadHalfBlocks(IReadOnlyList<string> lines)
    {
        var rows = new List<bool[]>();
        foreach (var line in lines)
        {
            rows.Add([.. line.Select(c => c is '█' or '▀')]);
            rows.Add([.. line.Select(c => c is '█' or '▄')]);
        }

        // TerminalQrCode.Modules says true for dark.
        return [.. rows.Select(r => r.Select(light => !light).ToArray())];
    }

    private static byte[] Pgm(bool[][] dark, int scale)
    {
        var width = dark[0].Length * scale;
        var height = dark.Length * scale;
        var header = Encoding.ASCII.GetBytes($"P5 {width} {height} 255\n");
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = dark[y / scale][x / scale] ? (byte)0 : (byte)255;
            }
        }

        return [.. header, .. pixels];
    }

    private static string? Zbarimg() => File.Exists("/usr/bin/zbarimg") ? "/usr/bin/zbarimg" : null;

    private static async Task<(int Code, string Stdout, string Stderr)> RunWithStdinAsync(IsgSandbox sandbox, string stdin, params string[] args)
    {
        var info = new ProcessStartInfo(IsgProcess.DotnetHost)
        {
            WorkingDirectory = sandbox.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(IsgProcess.DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        foreach (var (name, value) in sandbox.Environment)
        {
            if (value is not null)
            {
                info.Environment[name] = value;
            }
        }

        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(IsgSandbox.DefaultTimeout);
        sandbox.Log($"$ isg {string.Join(' ', args)} < stdin -> {process.ExitCode}\n{await stdout}{await stderr}");
        return (process.ExitCode, await stdout, await stderr);
    }
}

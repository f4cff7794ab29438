using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>`isg init --join` and the peer options of `isg node run`, through the real CLI.</summary>
public sealed partial class InitCommandTests(ITestOutputHelper output)
{
    [GeneratedRegex("repository ([0-9a-f]{32})")]
    private static partial Regex RepositoryId();

    [Fact]
    public async Task Init_Join_NewDeviceOfTheSameRepositoryWithItsOwnIdentity()
    {
        using var sandbox = new IsgSandbox(output);
        var created = (await sandbox.RunAsync("init", "--kdf-memory", "8")).AssertExit(0);
        await File.WriteAllTextAsync(sandbox.PathOf("only-here.txt"), "added before the join");
        (await sandbox.RunAsync("add", sandbox.PathOf("only-here.txt"))).AssertExit(0);
        var joinedRoot = sandbox.PathOf("second-device");

        var joined = (await sandbox.RunAsync("init", joinedRoot, "--join", sandbox.Repo)).AssertExit(0);

        Assert.Equal(RepositoryId().Match(created.Stdout).Groups[1].Value, RepositoryId().Match(joined.Stdout).Groups[1].Value);
        var firstId = (await sandbox.RunAsync("id")).AssertExit(0).Stdout.Trim();
        var secondId = (await sandbox.RunAsync("--repo", joinedRoot, "id")).AssertExit(0).Stdout.Trim();
        Assert.NotEqual(firstId, secondId);
        Assert.Contains(secondId, joined.Stdout, StringComparison.Ordinal);

        // The catalogue is not copied: the new device gets it by syncing.
        Assert.Contains("only-here.txt", (await sandbox.RunAsync("ls")).AssertExit(0).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("only-here.txt", (await sandbox.RunAsync("--repo", joinedRoot, "ls")).AssertExit(0).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_JoinWithTheWrongPassphrase_ExitsWrongPassphraseAndCreatesNothing()
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();
        var joinedRoot = sandbox.PathOf("second-device");
        sandbox.Environment["ISG_PASSPHRASE"] = "not the passphrase";

        (await sandbox.RunAsync("init", joinedRoot, "--join", sandbox.Repo)).AssertError(4, "wrong passphrase");

        Assert.False(Directory.Exists(joinedRoot));
    }

    [Theory]
    [InlineData("--peer", "host:99999", "--peer wants HOST:PORT")]
    [InlineData("--peer", "", "--peer wants HOST:PORT")]
    public async Task NodeRun_BadPeerAddress_ExitsUsageNamingTheOption(string option, string value, string message)
    {
        using var sandbox = new IsgSandbox(output);
        await sandbox.InitAsync();

        (await sandbox.RunAsync("node", "run", "--listen", "127.0.0.1:1", option, value)).AssertError(2, message);
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using Isg.Protocol.Peers;
using Isg.TestKit;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// `isg discover` against avahi, both inside a network namespace of their own (real multicast on a loopback that
/// reaches nothing else): avahi lists our announcement with its id, we find what avahi publishes, and two of our
/// announcers find each other and see a goodbye.
/// </summary>
public sealed class DiscoverCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(30);

    [NetworkNamespaceFact("dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish")]
    public async Task Announce_AvahiBrowseListsBothNodesWithIds_TwoNodesFindEachOther_GoodbyeRemoves()
    {
        using var ns = NetworkNamespace.Create();
        using var avahi = await AvahiDaemon.StartAsync(ns);
        var (a, b) = (NewId(), NewId());
        var nodeA = StartIsg(ns, "discover", "--announce", a.ToString(), "--port", "7421", "--timeout", "0");
        var nodeB = StartIsg(ns, "discover", "--announce", b.ToString(), "--port", "7422", "--timeout", "0");
        try
        {
            await nodeA.WaitForLineAsync(l => l.StartsWith("announced ", StringComparison.Ordinal), s_within);
            // "found ID ENDPOINT,...": the loopback's addresses (127.0.0.1, and ::1 where it has one) and the announced port.
            var foundB = await nodeA.WaitForLineAsync(l => l.StartsWith($"found {b} ", StringComparison.Ordinal), s_within);
            Assert.Contains("127.0.0.1:7422", foundB.Split(' ')[2].Split(','));
            var foundA = await nodeB.WaitForLineAsync(l => l.StartsWith($"found {a} ", StringComparison.Ordinal), s_within);
            Assert.Contains("127.0.0.1:7421", foundA.Split(' ')[2].Split(','));

            // avahi-browse -rpt: "=;lo;IPv4;INSTANCE;_isg._tcp;local;HOST;ADDRESS;PORT;TXT..."
            var listed = await BrowseUntilAsync(avahi, lines => lines.Any(l => l.Contains(a.ToString(), StringComparison.Ordinal))
                && lines.Any(l => l.Contains(b.ToString(), StringComparison.Ordinal)));
            var ours = listed.Single(l => l.Contains(a.ToString(), StringComparison.Ordinal)).Split(';');
            Assert.Equal(["=", "lo", "IPv4", a.ShortId, "_isg._tcp", "local", $"isg-{a.ShortId.ToLowerInvariant()}.local"], ours[..7]);
            // The host name has both loopback addresses (A and AAAA records); avahi resolves it to either.
            Assert.Contains(ours[7], (string[])["127.0.0.1", "::1"]);
            Assert.Equal("7421", ours[8]);
            Assert.Contains($"\"id={a}\"", ours[9], StringComparison.Ordinal);
            Assert.Contains("\"v=1\"", ours[9], StringComparison.Ordinal);

            // SIGTERM: B says goodbye; A and avahi drop it at once rather than after its TTL.
            nodeB.Signal(15);
            Assert.Equal(0, await nodeB.WaitForExitAsync(s_within));
            await nodeA.WaitForLineAsync(l => l == $"lost {b}", s_within);
            await BrowseUntilAsync(avahi, lines => lines.Any(l => l.Contains(a.ToString(), StringComparison.Ordinal))
                && !lines.Any(l => l.Contains(b.ToString(), StringComparison.Ordinal)));
        }
        finally
        {
            output.WriteLine($"node A stdout:\n{nodeA.Stdout}\nstderr:\n{nodeA.Stderr}\nnode B stdout:\n{nodeB.Stdout}\nstderr:\n{nodeB.Stderr}");
        }
    }

    [NetworkNamespaceFact("dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish")]
    public async Task Browse_FindsWhatAvahiPublishes_IgnoresServicesWithoutAnId()
    {
        using var ns = NetworkNamespace.Create();
        using var avahi = await AvahiDaemon.StartAsync(ns);
        var published = NewId();
        await Task.WhenAll(
            avahi.PublishAsync("Avahi Peer", "_isg._tcp", 7420, $"id={published}", "v=1"),
            avahi.PublishAsync("No Id", "_isg._tcp", 7000, "v=1"),
            avahi.PublishAsync("Bad Id", "_isg._tcp", 7001, "id=NOT-A-DEVICE"));

        var discover = StartIsg(ns, "discover", "--timeout", "2", "--json");
        Assert.Equal(0, await discover.WaitForExitAsync(s_within));
        output.WriteLine(discover.Stdout + discover.Stderr);

        using var json = JsonDocument.Parse(discover.Stdout);
        var device = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(published.ToString(), device.GetProperty("id").GetString());
        Assert.Equal(7420, device.GetProperty("port").GetInt32());
        Assert.Contains("127.0.0.1", device.GetProperty("addresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Avahi Peer._isg._tcp.local", device.GetProperty("instance").GetString());
    }

    [NetworkNamespaceFact]
    public async Task Browse_NothingThere_SaysSoAndExitsZero()
    {
        using var ns = NetworkNamespace.Create();
        var discover = StartIsg(ns, "discover", "--timeout", "1");
        Assert.Equal(0, await discover.WaitForExitAsync(s_within));
        Assert.Contains("no Isg devices found", discover.Stdout, StringComparison.Ordinal);
    }

    [NetworkNamespaceFact]
    public async Task Browse_NoMulticastInterface_FailsWithReason()
    {
        using var ns = NetworkNamespace.Create();
        NetworkNamespace.Ip("netns", "exec", ns.Name, "ip", "link", "set", "lo", "multicast", "off");
        var discover = StartIsg(ns, "discover", "--timeout", "1");
        Assert.Equal(1, await discover.WaitForExitAsync(s_within));
        Assert.Contains("isg: error: mDNS cannot run here: no network interface with multicast", discover.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Announce_BadDeviceId_UsageError()
    {
        using var sandbox = new IsgSandbox(output);
        (await sandbox.RunAsync("discover", "--announce", "NOT-AN-ID")).AssertError(2, "--announce");
    }

    private static DeviceId NewId() => DeviceId.FromCertificateDer(RandomNumberGenerator.GetBytes(64));

    private static NamespaceProcess StartIsg(NetworkNamespace ns, params string[] args) =>
        ns.Start(IsgProcess.DotnetHost, [IsgProcess.DllPath, .. args], new Dictionary<string, string?> { ["ISG_REPO"] = null, ["ISG_PASSPHRASE"] = null });

    // avahi-browse -t prints what avahi knows once its cache settles; a node announced a moment ago may need another look.
    private static async Task<IReadOnlyList<string>> BrowseUntilAsync(AvahiDaemon avahi, Func<IReadOnlyList<string>, bool> done)
    {
        var deadline = DateTime.UtcNow + s_within;
        IReadOnlyList<string> lines = [];
        while (DateTime.UtcNow < deadline)
        {
            lines = await avahi.BrowseAsync("_isg._tcp");
            if (done(lines))
            {
                return lines;
            }
        }

        throw new Xunit.Sdk.XunitException($"avahi-browse never showed what was expected; last:\n{string.Join('\n', lines)}");
    }
}

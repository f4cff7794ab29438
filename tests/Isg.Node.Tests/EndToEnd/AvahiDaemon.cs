using Isg.TestKit;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// avahi-daemon inside a <see cref="NetworkNamespace"/>, on a private D-Bus system bus (its own config and socket in a
/// temp folder, so nothing on the host is touched) and a private /run/avahi-daemon (a tmpfs in the mount namespace
/// `ip netns exec` creates, so a host avahi's pid file does not stop it). avahi-browse and avahi-publish reach it
/// through <see cref="Environment"/>. The namespace kills everything on dispose; the folder is deleted.
/// </summary>
public sealed class AvahiDaemon : IDisposable
{
    /// <summary>The programs this needs.</summary>
    public static readonly string[] Programs = ["dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish"];

    private static readonly TimeSpan s_startup = TimeSpan.FromSeconds(20);

    private readonly NetworkNamespace _namespace;
    private readonly string _folder;

    private AvahiDaemon(NetworkNamespace ns, string folder)
    {
        _namespace = ns;
        _folder = folder;
        Environment = new Dictionary<string, string?> { ["DBUS_SYSTEM_BUS_ADDRESS"] = $"unix:path={Path.Combine(folder, "system_bus_socket")}" };
    }

    /// <summary>The variables that point avahi's clients at the private bus.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Starts the bus and the daemon (host name avahi-isg-test, IPv4 on lo) and waits until avahi is up.</summary>
    public static async Task<AvahiDaemon> StartAsync(NetworkNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var folder = Path.Combine(Path.GetTempPath(), "isg-avahi-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var daemon = new AvahiDaemon(ns, folder);
        try
        {
            var busConfig = Path.Combine(folder, "bus.conf");
            await File.WriteAllTextAsync(busConfig, $"""
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path={Path.Combine(folder, "system_bus_socket")}</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_type="method_call"/>
                    <allow send_type="signal"/>
                    <allow send_type="method_return"/>
                    <allow send_type="error"/>
                    <allow receive_type="method_call"/>
                    <allow receive_type="signal"/>
                    <allow receive_type="method_return"/>
                    <allow receive_type="error"/>
                  </policy>
                </busconfig>
                """);
            var avahiConfig = Path.Combine(folder, "avahi-daemon.conf");
            await File.WriteAllTextAsync(avahiConfig, """
                [server]
                host-name=avahi-isg-test
                use-ipv4=yes
                use-ipv6=no
                allow-interfaces=lo
                enable-dbus=yes
                ratelimit-interval-usec=1000000
                ratelimit-burst=1000
                [wide-area]
                enable-wide-area=no
                [publish]
                publish-hinfo=no
                publish-workstation=no
                """);

            var bus = ns.Start("dbus-daemon", [$"--config-file={busConfig}", "--nofork", "--nopidfile", "--print-address=1"]);
            await bus.WaitForLineAsync(line => line.StartsWith("unix:", StringComparison.Ordinal), s_startup);

            var avahi = ns.Start("sh",
                ["-c", $"mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f {avahiConfig} 2>&1"],
                daemon.Environment);
            await avahi.WaitForLineAsync(line => line.Contains("Server startup complete", StringComparison.Ordinal), s_startup);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary>`avahi-browse -rpt TYPE` (resolve, parseable, stop once the cache is listed): its "=" lines, the resolved services.</summary>
    public async Task<IReadOnlyList<string>> BrowseAsync(string type)
    {
        var browse = _namespace.Start("avahi-browse", ["-rpt", type], Environment);
        await browse.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return browse.Stdout.Split('\n').Where(l => l.StartsWith("=;", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Runs `avahi-publish -s NAME TYPE PORT TXT...` until the namespace ends; waits until avahi established it.</summary>
    public async Task<NamespaceProcess> PublishAsync(string name, string type, int port, params string[] txt)
    {
        var arguments = string.Join(' ', new[] { name, type, port.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(txt).Select(Quote));
        var publish = _namespace.Start("sh", ["-c", $"exec avahi-publish -s {arguments} 2>&1"], Environment);
        await publish.WaitForLineAsync(line => line.Contains("Established under name", StringComparison.Ordinal), s_startup);
        return publish;
    }

    /// <summary>Deletes the folder (the namespace stops the processes).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The bus may still be closing its socket; the temp folder is swept later.
        }
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

using System.Globalization;
using System.Net;

namespace Isg.Actors.Discovery;

/// <summary>
/// What resolv.conf(5) says: name servers (port 53), the search list, and the ndots, timeout and attempts options.
/// Unknown lines are ignored; without any name server the resolver's default (127.0.0.1) applies.
/// </summary>
public sealed record ResolvConf(IReadOnlyList<IPEndPoint> Nameservers, IReadOnlyList<string> Search, int Ndots, TimeSpan Timeout, int Attempts)
{
    /// <summary>The usual location.</summary>
    public const string DefaultPath = "/etc/resolv.conf";

    private const int DnsPort = 53;

    /// <summary>Parses resolv.conf text.</summary>
    public static ResolvConf Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var nameservers = new List<IPEndPoint>();
        IReadOnlyList<string> search = [];
        var ndots = 1;
        var timeout = TimeSpan.FromSeconds(5);
        var attempts = 2;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "nameserver" when fields.Length > 1 && IPAddress.TryParse(fields[1], out var address):
                    nameservers.Add(new IPEndPoint(address, DnsPort));
                    break;
                case "search":
                    search = fields[1..];
                    break;
                case "domain" when fields.Length > 1:
                    search = [fields[1]];
                    break;
                case "options":
                    foreach (var option in fields[1..])
                    {
                        var colon = option.IndexOf(':', StringComparison.Ordinal);
                        if (colon < 0 || !int.TryParse(option.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                        {
                            continue;
                        }

                        // The same caps as glibc: ndots 15, timeout 30 s, attempts 5.
                        switch (option[..colon])
                        {
                            case "ndots":
                                ndots = Math.Min(value, 15);
                                break;
                            case "timeout":
                                timeout = TimeSpan.FromSeconds(Math.Clamp(value, 1, 30));
                                break;
                            case "attempts":
                                attempts = Math.Clamp(value, 1, 5);
                                break;
                        }
                    }

                    break;
            }
        }

        if (nameservers.Count == 0)
        {
            nameservers.Add(new IPEndPoint(IPAddress.Loopback, DnsPort));
        }

        return new ResolvConf(nameservers, search, ndots, timeout, attempts);
    }

    /// <summary>Reads and parses <paramref name="path"/>; a missing file gives the defaults.</summary>
    public static ResolvConf Load(string path = DefaultPath) => Parse(File.Exists(path) ? File.ReadAllText(path) : string.Empty);
}

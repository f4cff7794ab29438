using System.Globalization;
using System.Net;

namespace Isg.Actors.Peers;

/// <summary>Parses peer addresses: "HOST:PORT", "HOST" (port 7420), "[IPv6]:PORT" or a bare IPv6 address.</summary>
public static class PeerAddress
{
    /// <summary>
    /// Parses <paramref name="text"/> into an <see cref="IPEndPoint"/> for an IP address, else a <see cref="DnsEndPoint"/>
    /// (resolved when dialled). False with a reason for an empty host, a bad host name or a port outside 1..65535.
    /// </summary>
    public static bool TryParse(string? text, out EndPoint endpoint, out string error)
    {
        endpoint = null!;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "an address is HOST:PORT; got nothing";
            return false;
        }

        if (!text.StartsWith('[') && IPAddress.TryParse(text, out var bare))
        {
            endpoint = new IPEndPoint(bare, PeersOptions.DefaultPort);
            error = string.Empty;
            return true;
        }

        string host;
        var port = PeersOptions.DefaultPort;
        var colon = text.LastIndexOf(':');
        var bracket = text.LastIndexOf(']');
        if (colon > bracket)
        {
            host = text[..colon];
            if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"'{text}': the port must be a number from 1 to 65535";
                return false;
            }
        }
        else
        {
            host = text;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (IPAddress.TryParse(host, out var address))
        {
            endpoint = new IPEndPoint(address, port);
            error = string.Empty;
            return true;
        }

        if (host.Length == 0 || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            error = $"'{text}': '{host}' is not a host name or IP address";
            return false;
        }

        endpoint = new DnsEndPoint(host, port);
        error = string.Empty;
        return true;
    }

    /// <summary>The canonical text of <paramref name="endpoint"/>: "HOST:PORT", IPv6 in brackets.</summary>
    public static string Format(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.ToString(),
        DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        _ => endpoint?.ToString() ?? throw new ArgumentNullException(nameof(endpoint)),
    };
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers;

namespace Isg.Actors.Discovery;

/// <summary>
/// A peer address given by configuration: <c>HOST:PORT</c>, <c>[IPV6]:PORT</c>, or a host or address alone (the
/// default port), optionally with the device id it belongs to.
/// </summary>
public sealed record StaticPeer(DeviceId? Id, string Host, int Port)
{
    /// <summary>
    /// Parses <paramref name="address"/>; fails with <see cref="ProtocolErrorKind.BadText"/> on an empty host or a
    /// port outside 1..65535.
    /// </summary>
    public static bool TryParse(string? address, DeviceId? id, int defaultPort, out StaticPeer? peer, out ProtocolError error)
    {
        peer = null;
        var text = address?.Trim() ?? string.Empty;
        string host;
        var port = defaultPort;
        if (IPAddress.TryParse(text, out var literal) && !(literal.AddressFamily == AddressFamily.InterNetworkV6 && text.StartsWith('[')))
        {
            host = literal.ToString();
        }
        else if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(text[1..close], out var v6))
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{address}' is not [IPV6]:PORT");
                return false;
            }

            host = v6.ToString();
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith(':') || !TryPort(rest[1..], out port)))
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{address}' has a bad port");
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            if (colon >= 0 && !TryPort(text[(colon + 1)..], out port))
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{address}' has a bad port (1..65535)");
                return false;
            }
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace) || port is < 1 or > 65535)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{address}' is not HOST:PORT");
            return false;
        }

        peer = new StaticPeer(id, host, port);
        error = default;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}") + (Id is { } id ? $" ({id.ShortId})" : string.Empty);

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}

namespace Isg.Actors.Discovery;

/// <summary>Where <see cref="UdpMdnsTransport"/> listens and sends.</summary>
public sealed record MdnsTransportOptions
{
    /// <summary>
    /// Interface names to use (e.g. "eth0"). Empty: every interface that is up, supports multicast and has an address,
    /// loopback excluded unless it is the only one (a test network namespace).
    /// </summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>Also use IPv6 (ff02::fb) where it works; IPv4 alone otherwise.</summary>
    public bool UseIPv6 { get; init; } = true;

    /// <summary>The UDP port: 5353, shared with other responders (avahi) through address reuse.</summary>
    public int Port { get; init; } = UdpMdnsTransport.MdnsPort;
}

namespace Isg.Protocol.Discovery;

/// <summary>Resource record types (IANA DNS parameters) this code names; any other 16-bit value is valid and kept as is.</summary>
public enum DnsRecordType : ushort
{
    /// <summary>An IPv4 address.</summary>
    A = 1,
    /// <summary>A name server (read as opaque data).</summary>
    Ns = 2,
    /// <summary>An alias.</summary>
    Cname = 5,
    /// <summary>A pointer: service instances in DNS-SD, reverse lookups.</summary>
    Ptr = 12,
    /// <summary>Host information (read as opaque data).</summary>
    Hinfo = 13,
    /// <summary>Text strings: DNS-SD key=value pairs.</summary>
    Txt = 16,
    /// <summary>An IPv6 address.</summary>
    Aaaa = 28,
    /// <summary>A service location: priority, weight, port, target host.</summary>
    Srv = 33,
    /// <summary>EDNS(0) options pseudo-record (read as opaque data).</summary>
    Opt = 41,
    /// <summary>Which types exist for a name: mDNS negative answers.</summary>
    Nsec = 47,
    /// <summary>Query type: every type.</summary>
    Any = 255,
}

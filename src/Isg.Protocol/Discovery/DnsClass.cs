namespace Isg.Protocol.Discovery;

/// <summary>
/// The 15-bit record class. The class field's top bit is not part of it: in mDNS it is the unicast-response bit of a
/// question and the cache-flush bit of a record (RFC 6762 §18.12, §18.13).
/// </summary>
public enum DnsClass : ushort
{
    /// <summary>The Internet class, the only one mDNS uses.</summary>
    Internet = 1,
    /// <summary>Query class: every class.</summary>
    Any = 255,
}

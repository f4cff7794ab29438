namespace Isg.Protocol.Discovery;

/// <summary>The single-bit flags of a DNS header (RFC 1035 §4.1.1); opcode and RCODE are kept apart.</summary>
[Flags]
public enum DnsHeaderFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>QR: the message is a response.</summary>
    Response = 0x8000,
    /// <summary>AA: an authoritative answer (every mDNS response sets it).</summary>
    Authoritative = 0x0400,
    /// <summary>TC: truncated; over UDP, retry over TCP (unicast DNS) or expect more known answers (mDNS).</summary>
    Truncated = 0x0200,
    /// <summary>RD: recursion desired.</summary>
    RecursionDesired = 0x0100,
    /// <summary>RA: recursion available.</summary>
    RecursionAvailable = 0x0080,
}

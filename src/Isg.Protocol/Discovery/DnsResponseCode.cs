namespace Isg.Protocol.Discovery;

/// <summary>The 4-bit RCODE of a DNS header (RFC 1035 §4.1.1).</summary>
public enum DnsResponseCode : byte
{
    /// <summary>No error.</summary>
    NoError = 0,
    /// <summary>The server could not understand the query.</summary>
    FormatError = 1,
    /// <summary>The server failed.</summary>
    ServerFailure = 2,
    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NameError = 3,
    /// <summary>The server does not support this kind of query.</summary>
    NotImplemented = 4,
    /// <summary>The server refused.</summary>
    Refused = 5,
}

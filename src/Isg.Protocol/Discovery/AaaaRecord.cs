using System.Net;
using System.Net.Sockets;

namespace Isg.Protocol.Discovery;

/// <summary>An AAAA record: an IPv6 address of a host name (without a scope: the wire has none).</summary>
public sealed class AaaaRecord : AddressRecord
{
    /// <summary>An address record; throws <see cref="ArgumentException"/> unless <paramref name="address"/> is IPv6.</summary>
    public AaaaRecord(DnsName name, IPAddress address, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, address, AddressFamily.InterNetworkV6, ttl, cacheFlush, @class)
    {
    }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Aaaa;

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new AaaaRecord(Name, Address, ttl, cacheFlush, Class);
}

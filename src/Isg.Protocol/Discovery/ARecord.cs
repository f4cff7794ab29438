using System.Net;
using System.Net.Sockets;

namespace Isg.Protocol.Discovery;

/// <summary>An A record: an IPv4 address of a host name.</summary>
public sealed class ARecord : AddressRecord
{
    /// <summary>An address record; throws <see cref="ArgumentException"/> unless <paramref name="address"/> is IPv4.</summary>
    public ARecord(DnsName name, IPAddress address, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, address, AddressFamily.InterNetwork, ttl, cacheFlush, @class)
    {
    }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.A;

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new ARecord(Name, Address, ttl, cacheFlush, Class);
}

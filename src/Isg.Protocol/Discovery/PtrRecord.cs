namespace Isg.Protocol.Discovery;

/// <summary>A PTR record: in DNS-SD, a service type pointing at one instance of it (RFC 6763 §4.1).</summary>
public sealed class PtrRecord : TargetNameRecord
{
    /// <summary>A PTR record from <paramref name="name"/> to <paramref name="target"/>.</summary>
    public PtrRecord(DnsName name, DnsName target, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, target, ttl, cacheFlush, @class)
    {
    }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Ptr;

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new PtrRecord(Name, Target, ttl, cacheFlush, Class);
}

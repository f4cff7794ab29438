namespace Isg.Protocol.Discovery;

/// <summary>A CNAME record: <see cref="DnsRecord.Name"/> is an alias of <see cref="TargetNameRecord.Target"/>, the canonical name.</summary>
public sealed class CnameRecord : TargetNameRecord
{
    /// <summary>An alias from <paramref name="name"/> to <paramref name="target"/>.</summary>
    public CnameRecord(DnsName name, DnsName target, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, target, ttl, cacheFlush, @class)
    {
    }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Cname;

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new CnameRecord(Name, Target, ttl, cacheFlush, Class);
}

namespace Isg.Protocol.Discovery;

/// <summary>A record whose data is one domain name, <see cref="Target"/>: <see cref="PtrRecord"/> or <see cref="CnameRecord"/>.</summary>
public abstract class TargetNameRecord : DnsRecord
{
    private protected TargetNameRecord(DnsName name, DnsName target, uint ttl, bool cacheFlush, DnsClass @class)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
    }

    /// <summary>The name the record points at.</summary>
    public DnsName Target { get; }

    /// <summary>Reads the data of a PTR or CNAME record: one (possibly compressed) name.</summary>
    internal static bool TryReadData(ref DnsReader reader, DnsRecordType type, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end,
        out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadName(end, out var target))
        {
            return false;
        }

        record = type == DnsRecordType.Ptr ? new PtrRecord(name, target!, ttl, cacheFlush, @class) : new CnameRecord(name, target!, ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer) => writer.WriteName(Target);

    private protected override bool DataEquals(DnsRecord other) => Target.Equals(((TargetNameRecord)other).Target);

    private protected override int GetDataHashCode() => Target.GetHashCode();

    private protected override string DataToString() => Target.ToString();
}

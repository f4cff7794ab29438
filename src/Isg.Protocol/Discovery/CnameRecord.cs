namespace Isg.Protocol.Discovery;

/// <summary>A CNAME record: <see cref="DnsRecord.Name"/> is an alias of <see cref="Target"/>.</summary>
public sealed class CnameRecord : DnsRecord
{
    /// <summary>An alias from <paramref name="name"/> to <paramref name="target"/>.</summary>
    public CnameRecord(DnsName name, DnsName target, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
    }

    /// <summary>The canonical name.</summary>
    public DnsName Target { get; }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Cname;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadName(end, out var target))
        {
            return false;
        }

        record = new CnameRecord(name, target!, ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer) => writer.WriteName(Target);

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new CnameRecord(Name, Target, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) => Target.Equals(((CnameRecord)other).Target);

    private protected override int GetDataHashCode() => Target.GetHashCode();

    private protected override string DataToString() => Target.ToString();
}

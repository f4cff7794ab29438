namespace Isg.Protocol.Discovery;

/// <summary>A PTR record: in DNS-SD, a service type pointing at one instance of it (RFC 6763 §4.1).</summary>
public sealed class PtrRecord : DnsRecord
{
    /// <summary>A PTR record from <paramref name="name"/> to <paramref name="target"/>.</summary>
    public PtrRecord(DnsName name, DnsName target, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
    }

    /// <summary>The name pointed at.</summary>
    public DnsName Target { get; }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Ptr;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadName(end, out var target))
        {
            return false;
        }

        record = new PtrRecord(name, target!, ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer) => writer.WriteName(Target);

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new PtrRecord(Name, Target, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) => Target.Equals(((PtrRecord)other).Target);

    private protected override int GetDataHashCode() => Target.GetHashCode();

    private protected override string DataToString() => Target.ToString();
}

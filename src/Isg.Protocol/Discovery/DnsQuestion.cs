namespace Isg.Protocol.Discovery;

/// <summary>
/// A question: name, type and class, and the mDNS unicast-response ("QU") bit, the top bit of the class field
/// (RFC 6762 §5.4). Equality compares names case-insensitively.
/// </summary>
public sealed record DnsQuestion(DnsName Name, DnsRecordType Type, DnsClass Class = DnsClass.Internet, bool UnicastResponse = false)
{
    /// <summary>True when <paramref name="record"/> answers this question (same name; same type or ANY; same class or ANY).</summary>
    public bool IsAnsweredBy(DnsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (Type == DnsRecordType.Any || Type == record.Type)
            && (Class == DnsClass.Any || Class == record.Class)
            && Name.Equals(record.Name);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type}{(UnicastResponse ? " QU" : string.Empty)}";
}

using System.Globalization;

namespace Isg.Protocol.Discovery;

/// <summary>An SRV record (RFC 2782): where a service instance runs, as a target host name and a port.</summary>
public sealed class SrvRecord : DnsRecord
{
    /// <summary>A service location.</summary>
    public SrvRecord(DnsName name, ushort priority, ushort weight, ushort port, DnsName target, uint ttl, bool cacheFlush = false,
        DnsClass @class = DnsClass.Internet)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(target);
        Priority = priority;
        Weight = weight;
        Port = port;
        Target = target;
    }

    /// <summary>Lower is preferred.</summary>
    public ushort Priority { get; }

    /// <summary>Relative weight among targets of equal priority.</summary>
    public ushort Weight { get; }

    /// <summary>The TCP or UDP port.</summary>
    public ushort Port { get; }

    /// <summary>The host name whose A/AAAA records give the addresses.</summary>
    public DnsName Target { get; }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Srv;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadUInt16(end, out var priority)
            || !reader.TryReadUInt16(end, out var weight)
            || !reader.TryReadUInt16(end, out var port)
            || !reader.TryReadName(end, out var target))
        {
            return false;
        }

        record = new SrvRecord(name, priority, weight, port, target!, ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer)
    {
        writer.WriteUInt16(Priority);
        writer.WriteUInt16(Weight);
        writer.WriteUInt16(Port);
        writer.WriteName(Target);
    }

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new SrvRecord(Name, Priority, Weight, Port, Target, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) =>
        other is SrvRecord srv && srv.Priority == Priority && srv.Weight == Weight && srv.Port == Port && srv.Target.Equals(Target);

    private protected override int GetDataHashCode() => HashCode.Combine(Priority, Weight, Port, Target);

    private protected override string DataToString() => string.Create(CultureInfo.InvariantCulture, $"{Priority} {Weight} {Port} {Target}");
}

using System.Net;
using System.Net.Sockets;

namespace Isg.Protocol.Discovery;

/// <summary>An A record: an IPv4 address of a host name.</summary>
public sealed class ARecord : DnsRecord
{
    /// <summary>An address record; throws <see cref="ArgumentException"/> unless <paramref name="address"/> is IPv4.</summary>
    public ARecord(DnsName name, IPAddress address, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }

        Address = address;
    }

    /// <summary>The IPv4 address.</summary>
    public IPAddress Address { get; }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.A;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        if (end - reader.Position != 4)
        {
            return reader.Invalid(Errors.ProtocolErrorKind.BadField, reader.Position, $"an A record has 4 bytes of data, not {end - reader.Position}");
        }

        if (!reader.TryReadBytes(4, end, out var bytes))
        {
            return false;
        }

        record = new ARecord(name, new IPAddress(bytes), ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer)
    {
        Span<byte> bytes = stackalloc byte[4];
        Address.TryWriteBytes(bytes, out _);
        writer.WriteBytes(bytes);
    }

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new ARecord(Name, Address, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) => AddressEquals(Address, ((ARecord)other).Address);

    private protected override int GetDataHashCode() => Address.GetHashCode();

    private protected override string DataToString() => Address.ToString();
}

using System.Net;
using System.Net.Sockets;

namespace Isg.Protocol.Discovery;

/// <summary>An AAAA record: an IPv6 address of a host name (without a scope: the wire has none).</summary>
public sealed class AaaaRecord : DnsRecord
{
    /// <summary>An address record; throws <see cref="ArgumentException"/> unless <paramref name="address"/> is IPv6.</summary>
    public AaaaRecord(DnsName name, IPAddress address, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{address} is not an IPv6 address", nameof(address));
        }

        Address = address;
    }

    /// <summary>The IPv6 address.</summary>
    public IPAddress Address { get; }

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Aaaa;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        if (end - reader.Position != 16)
        {
            return reader.Invalid(Errors.ProtocolErrorKind.BadField, reader.Position, $"an AAAA record has 16 bytes of data, not {end - reader.Position}");
        }

        if (!reader.TryReadBytes(16, end, out var bytes))
        {
            return false;
        }

        record = new AaaaRecord(name, new IPAddress(bytes), ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer)
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out _);
        writer.WriteBytes(bytes);
    }

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new AaaaRecord(Name, Address, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) => AddressEquals(Address, ((AaaaRecord)other).Address);

    // IPAddress hashes include the scope id; the wire has none, so hash the bytes.
    private protected override int GetDataHashCode()
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out _);
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    private protected override string DataToString() => Address.ToString();
}

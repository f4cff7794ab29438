using System.Net;
using System.Net.Sockets;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Discovery;

/// <summary>
/// An address record of a host name: <see cref="ARecord"/> (IPv4) or <see cref="AaaaRecord"/> (IPv6). The wire has no
/// IPv6 scope, so records compare and hash by the address bytes alone.
/// </summary>
public abstract class AddressRecord : DnsRecord
{
    private protected AddressRecord(DnsName name, IPAddress address, AddressFamily family, uint ttl, bool cacheFlush, DnsClass @class)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != family)
        {
            throw new ArgumentException($"{address} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address", nameof(address));
        }

        Address = address;
    }

    /// <summary>The address.</summary>
    public IPAddress Address { get; }

    /// <summary>Reads the data of an A (4 bytes) or AAAA (16 bytes) record, which must fill its RDLENGTH.</summary>
    internal static bool TryReadData(ref DnsReader reader, DnsRecordType type, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end,
        out DnsRecord? record)
    {
        record = null;
        var v4 = type == DnsRecordType.A;
        var length = v4 ? 4 : 16;
        if (end - reader.Position != length)
        {
            return reader.Invalid(ProtocolErrorKind.BadField, reader.Position,
                $"an {(v4 ? "A" : "AAAA")} record has {length} bytes of data, not {end - reader.Position}");
        }

        if (!reader.TryReadBytes(length, end, out var bytes))
        {
            return false;
        }

        var address = new IPAddress(bytes);
        record = v4 ? new ARecord(name, address, ttl, cacheFlush, @class) : new AaaaRecord(name, address, ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer)
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out var written);
        writer.WriteBytes(bytes[..written]);
    }

    private protected override bool DataEquals(DnsRecord other)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        var theirs = ((AddressRecord)other).Address;
        return Address.TryWriteBytes(x, out var xn) && theirs.TryWriteBytes(y, out var yn) && x[..xn].SequenceEqual(y[..yn]);
    }

    // IPAddress hashes include the IPv6 scope id; the wire has none, so hash the bytes.
    private protected override int GetDataHashCode()
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out var written);
        var hash = new HashCode();
        hash.AddBytes(bytes[..written]);
        return hash.ToHashCode();
    }

    private protected override string DataToString() => Address.ToString();
}

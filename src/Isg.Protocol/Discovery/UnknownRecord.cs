namespace Isg.Protocol.Discovery;

/// <summary>A record of a type this code does not interpret: its data is kept as opaque bytes (RFC 3597).</summary>
public sealed class UnknownRecord : DnsRecord
{
    private readonly byte[] _data;

    /// <summary>A record of <paramref name="type"/> with opaque <paramref name="data"/> (copied; at most 65535 bytes).</summary>
    public UnknownRecord(DnsName name, DnsRecordType type, ReadOnlySpan<byte> data, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : this(name, type, data.ToArray(), ttl, cacheFlush, @class)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, ushort.MaxValue, nameof(data));
    }

    private UnknownRecord(DnsName name, DnsRecordType type, byte[] data, uint ttl, bool cacheFlush, DnsClass @class)
        : base(name, ttl, cacheFlush, @class)
    {
        Type = type;
        _data = data;
    }

    /// <inheritdoc />
    public override DnsRecordType Type { get; }

    /// <summary>The record data as received.</summary>
    public ReadOnlySpan<byte> Data => _data;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, DnsRecordType type, uint ttl, bool cacheFlush, DnsClass @class, int end,
        out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadBytes(end - reader.Position, end, out var bytes))
        {
            return false;
        }

        record = new UnknownRecord(name, type, bytes.ToArray(), ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer) => writer.WriteBytes(_data);

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new UnknownRecord(Name, Type, _data, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) => _data.AsSpan().SequenceEqual(((UnknownRecord)other)._data);

    private protected override int GetDataHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_data);
        return hash.ToHashCode();
    }

    private protected override string DataToString() => $"\\# {_data.Length} {Convert.ToHexStringLower(_data)}";
}

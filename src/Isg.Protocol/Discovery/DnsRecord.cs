using Isg.Protocol.Errors;

namespace Isg.Protocol.Discovery;

/// <summary>
/// A resource record: owner name, type, class, TTL in seconds, and typed data in the subclass. <see cref="CacheFlush"/>
/// is the mDNS cache-flush bit (the top bit of the class field, RFC 6762 §10.2). Immutable; subclasses live in this
/// assembly only. Equality of records as a cache sees it (name, type, class and data; not TTL or cache-flush) is
/// <see cref="SameData"/>.
/// </summary>
public abstract class DnsRecord
{
    private const ushort TopBit = 0x8000;

    private protected DnsRecord(DnsName name, uint ttl, bool cacheFlush, DnsClass @class)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (((ushort)@class & TopBit) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(@class), @class, "The class has 15 bits; set the cache-flush bit with cacheFlush.");
        }

        Name = name;
        Ttl = ttl;
        CacheFlush = cacheFlush;
        Class = @class;
    }

    /// <summary>Compares name (case-insensitive), type, class and data; ignores TTL and the cache-flush bit.</summary>
    public static IEqualityComparer<DnsRecord> SameData { get; } = new SameDataComparer();

    /// <summary>The owner name.</summary>
    public DnsName Name { get; }

    /// <summary>The record type.</summary>
    public abstract DnsRecordType Type { get; }

    /// <summary>The class (15 bits).</summary>
    public DnsClass Class { get; }

    /// <summary>The mDNS cache-flush bit: this record replaces every other record of its name, type and class.</summary>
    public bool CacheFlush { get; }

    /// <summary>Time to live in seconds; 0 in mDNS is a goodbye (the record is going away).</summary>
    public uint Ttl { get; }

    /// <summary>The same record with another TTL.</summary>
    public DnsRecord WithTtl(uint ttl) => ttl == Ttl ? this : Copy(ttl, CacheFlush);

    /// <summary>The same record with the cache-flush bit set or cleared.</summary>
    public DnsRecord WithCacheFlush(bool cacheFlush) => cacheFlush == CacheFlush ? this : Copy(Ttl, cacheFlush);

    /// <summary>The record data in uncompressed wire form (what RFC 6762 §8.2 compares to break probe ties).</summary>
    public byte[] GetUncompressedData()
    {
        using var writer = new DnsWriter(compress: false);
        WriteData(writer);
        return writer.Written.ToArray();
    }

    /// <summary>Zone-file-like text, for logs.</summary>
    public override string ToString() =>
        $"{Name} {Ttl} {(CacheFlush ? "flush " : string.Empty)}{(Class == DnsClass.Internet ? "IN" : ((ushort)Class).ToString(System.Globalization.CultureInfo.InvariantCulture))} {Type} {DataToString()}";

    internal void Write(DnsWriter writer)
    {
        writer.WriteName(Name);
        writer.WriteUInt16((ushort)Type);
        writer.WriteUInt16((ushort)((ushort)Class | (CacheFlush ? TopBit : 0)));
        writer.WriteUInt32(Ttl);
        var lengthAt = writer.Length;
        writer.WriteUInt16(0);
        WriteData(writer);
        writer.PatchUInt16(lengthAt, (ushort)(writer.Length - lengthAt - 2));
    }

    /// <summary>Reads one record at the reader's position; the typed data must fill its RDLENGTH exactly.</summary>
    internal static bool TryRead(ref DnsReader reader, out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadName(out var name)
            || !reader.TryReadUInt16(out var type)
            || !reader.TryReadUInt16(out var classField)
            || !reader.TryReadUInt32(out var ttl)
            || !reader.TryReadUInt16(out var dataLength))
        {
            return false;
        }

        var start = reader.Position;
        var end = start + dataLength;
        if (end > reader.Length)
        {
            // Reads the short remainder only to report NeedMoreData at the right offset.
            return reader.TryReadBytes(dataLength, out _);
        }

        var cacheFlush = (classField & TopBit) != 0;
        var @class = (DnsClass)(classField & ~TopBit);

        // RFC 2181 §8: a TTL with the top bit set means zero.
        ttl = ttl > int.MaxValue ? 0 : ttl;
        var ok = (DnsRecordType)type switch
        {
            DnsRecordType.A or DnsRecordType.Aaaa => AddressRecord.TryReadData(ref reader, (DnsRecordType)type, name!, ttl, cacheFlush, @class, end, out record),
            DnsRecordType.Ptr or DnsRecordType.Cname => TargetNameRecord.TryReadData(ref reader, (DnsRecordType)type, name!, ttl, cacheFlush, @class, end, out record),
            DnsRecordType.Srv => SrvRecord.TryReadData(ref reader, name!, ttl, cacheFlush, @class, end, out record),
            DnsRecordType.Txt => TxtRecord.TryReadData(ref reader, name!, ttl, cacheFlush, @class, end, out record),
            DnsRecordType.Nsec => NsecRecord.TryReadData(ref reader, name!, ttl, cacheFlush, @class, end, out record),
            _ => UnknownRecord.TryReadData(ref reader, name!, (DnsRecordType)type, ttl, cacheFlush, @class, end, out record),
        };
        if (!ok && (DnsRecordType)type == DnsRecordType.Nsec && reader.Status == DecodeStatus.Invalid)
        {
            // RFC 6762 §6.1: an NSEC we cannot parse must not cost the rest of the message; keep it as opaque data.
            reader.Recover(start);
            ok = UnknownRecord.TryReadData(ref reader, name!, (DnsRecordType)type, ttl, cacheFlush, @class, end, out record);
        }

        if (!ok)
        {
            return false;
        }

        if (reader.Position != end)
        {
            record = null;
            return reader.Invalid(ProtocolErrorKind.Malformed, start, $"{(DnsRecordType)type} data does not fill its {dataLength} bytes");
        }

        return true;
    }

    /// <summary>Writes the typed data (RDATA).</summary>
    internal abstract void WriteData(DnsWriter writer);

    /// <summary>A copy with another TTL and cache-flush bit.</summary>
    private protected abstract DnsRecord Copy(uint ttl, bool cacheFlush);

    /// <summary>Equality of the typed data; <paramref name="other"/> has the same runtime type.</summary>
    private protected abstract bool DataEquals(DnsRecord other);

    /// <summary>A hash of the typed data consistent with <see cref="DataEquals"/>.</summary>
    private protected abstract int GetDataHashCode();

    /// <summary>The data as text.</summary>
    private protected abstract string DataToString();

    private sealed class SameDataComparer : IEqualityComparer<DnsRecord>
    {
        public bool Equals(DnsRecord? x, DnsRecord? y) =>
            ReferenceEquals(x, y)
            || (x is not null && y is not null && x.GetType() == y.GetType() && x.Type == y.Type && x.Class == y.Class
                && x.Name.Equals(y.Name) && x.DataEquals(y));

        public int GetHashCode(DnsRecord obj) => HashCode.Combine(obj.Name, obj.Type, obj.Class, obj.GetDataHashCode());
    }
}

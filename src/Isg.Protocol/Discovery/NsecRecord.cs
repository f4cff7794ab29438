using Isg.Protocol.Errors;

namespace Isg.Protocol.Discovery;

/// <summary>
/// An NSEC record (RFC 4034 §4) as mDNS uses it (RFC 6762 §6.1): the types that exist for a name, so a querier learns
/// that the others do not. <see cref="NextName"/> is the owner name itself in mDNS.
/// </summary>
public sealed class NsecRecord : DnsRecord
{
    private readonly DnsRecordType[] _types;

    /// <summary>An NSEC record listing <paramref name="types"/> (sorted and de-duplicated here).</summary>
    public NsecRecord(DnsName name, DnsName nextName, IEnumerable<DnsRecordType> types, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : this(name, nextName, types?.Distinct().Order().ToArray() ?? throw new ArgumentNullException(nameof(types)), ttl, cacheFlush, @class)
    {
    }

    private NsecRecord(DnsName name, DnsName nextName, DnsRecordType[] types, uint ttl, bool cacheFlush, DnsClass @class)
        : base(name, ttl, cacheFlush, @class)
    {
        ArgumentNullException.ThrowIfNull(nextName);
        NextName = nextName;
        _types = types;
    }

    /// <summary>The next name in the zone; the owner name in mDNS.</summary>
    public DnsName NextName { get; }

    /// <summary>The types that exist, ascending.</summary>
    public IReadOnlyList<DnsRecordType> Types => _types;

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Nsec;

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        if (!reader.TryReadName(end, out var nextName))
        {
            return false;
        }

        var types = new List<DnsRecordType>();
        var lastWindow = -1;
        while (reader.Position < end)
        {
            var windowAt = reader.Position;
            if (!reader.TryReadByte(end, out var window) || !reader.TryReadByte(end, out var length))
            {
                return false;
            }

            if (window <= lastWindow || length is 0 or > 32)
            {
                return reader.Invalid(ProtocolErrorKind.BadField, windowAt, "NSEC windows must ascend and hold 1 to 32 bitmap bytes");
            }

            if (!reader.TryReadBytes(length, end, out var bitmap))
            {
                return false;
            }

            for (var i = 0; i < bitmap.Length; i++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((bitmap[i] & (0x80 >> bit)) != 0)
                    {
                        types.Add((DnsRecordType)((window << 8) | (i * 8) + bit));
                    }
                }
            }

            lastWindow = window;
        }

        record = new NsecRecord(name, nextName!, [.. types], ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer)
    {
        // RFC 6762 §18.14 lets mDNS compress names in record data; RFC 4034 peers expect this one uncompressed.
        writer.WriteName(NextName, compress: false);
        Span<byte> bitmap = stackalloc byte[32];
        var index = 0;
        while (index < _types.Length)
        {
            var window = (int)_types[index] >> 8;
            bitmap.Clear();
            var length = 0;
            for (; index < _types.Length && (int)_types[index] >> 8 == window; index++)
            {
                var low = (int)_types[index] & 0xFF;
                bitmap[low / 8] |= (byte)(0x80 >> (low % 8));
                length = (low / 8) + 1;
            }

            writer.WriteByte((byte)window);
            writer.WriteByte((byte)length);
            writer.WriteBytes(bitmap[..length]);
        }
    }

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new NsecRecord(Name, NextName, _types, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other) =>
        other is NsecRecord nsec && nsec.NextName.Equals(NextName) && nsec._types.AsSpan().SequenceEqual(_types);

    private protected override int GetDataHashCode()
    {
        var hash = new HashCode();
        hash.Add(NextName);
        foreach (var type in _types)
        {
            hash.Add(type);
        }

        return hash.ToHashCode();
    }

    private protected override string DataToString() => $"{NextName} {string.Join(' ', _types)}";
}

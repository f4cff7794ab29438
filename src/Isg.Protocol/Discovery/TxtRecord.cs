using System.Text;

namespace Isg.Protocol.Discovery;

/// <summary>
/// A TXT record: character strings of up to 255 bytes each. DNS-SD reads them as <c>key=value</c> pairs (RFC 6763 §6):
/// keys are ASCII and case-insensitive, the first occurrence of a key wins, a string without '=' is a key with no value.
/// </summary>
public sealed class TxtRecord : DnsRecord
{
    /// <summary>The longest character string.</summary>
    public const int MaxStringLength = 255;

    private readonly ReadOnlyMemory<byte>[] _strings;

    /// <summary>A TXT record of <paramref name="strings"/> (copied); throws <see cref="ArgumentException"/> for a string over 255 bytes.</summary>
    public TxtRecord(DnsName name, IEnumerable<ReadOnlyMemory<byte>> strings, uint ttl, bool cacheFlush = false, DnsClass @class = DnsClass.Internet)
        : this(name, Copy(strings), ttl, cacheFlush, @class)
    {
    }

    private TxtRecord(DnsName name, ReadOnlyMemory<byte>[] strings, uint ttl, bool cacheFlush, DnsClass @class)
        : base(name, ttl, cacheFlush, @class) =>
        _strings = strings;

    /// <summary>The character strings in order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Strings => _strings;

    /// <inheritdoc />
    public override DnsRecordType Type => DnsRecordType.Txt;

    /// <summary>
    /// A DNS-SD TXT record of <c>key=value</c> strings (<c>key</c> alone for a null value). Throws
    /// <see cref="ArgumentException"/> for an empty key, a key with '=' or non-printable ASCII, or a pair over 255 bytes.
    /// </summary>
    public static TxtRecord FromPairs(DnsName name, IEnumerable<KeyValuePair<string, string?>> pairs, uint ttl, bool cacheFlush = false)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var strings = new List<ReadOnlyMemory<byte>>();
        foreach (var (key, value) in pairs)
        {
            if (string.IsNullOrEmpty(key) || key.Any(c => c is < ' ' or > '~' or '='))
            {
                throw new ArgumentException($"'{key}' is not a DNS-SD key (printable ASCII without '=')", nameof(pairs));
            }

            strings.Add(Encoding.UTF8.GetBytes(value is null ? key : key + "=" + value));
        }

        return new TxtRecord(name, strings, ttl, cacheFlush);
    }

    /// <summary>
    /// Finds the first string whose key is <paramref name="key"/> (ASCII case-insensitive). True when present;
    /// <paramref name="value"/> is its UTF-8 text, or null for a key without '='.
    /// </summary>
    public bool TryGetValue(string key, out string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var memory in _strings)
        {
            var span = memory.Span;
            if (span.IsEmpty)
            {
                continue;
            }

            var equals = span.IndexOf((byte)'=');
            var keyBytes = equals < 0 ? span : span[..equals];
            if (!KeyEquals(keyBytes, key))
            {
                continue;
            }

            value = equals < 0 ? null : Encoding.UTF8.GetString(span[(equals + 1)..]);
            return true;
        }

        value = null;
        return false;
    }

    internal static bool TryReadData(ref DnsReader reader, DnsName name, uint ttl, bool cacheFlush, DnsClass @class, int end, out DnsRecord? record)
    {
        record = null;
        var strings = new List<ReadOnlyMemory<byte>>();
        while (reader.Position < end)
        {
            if (!reader.TryReadByte(end, out var length) || !reader.TryReadBytes(length, end, out var bytes))
            {
                return false;
            }

            strings.Add(bytes.ToArray());
        }

        record = new TxtRecord(name, [.. strings], ttl, cacheFlush, @class);
        return true;
    }

    internal override void WriteData(DnsWriter writer)
    {
        foreach (var memory in _strings)
        {
            writer.WriteByte((byte)memory.Length);
            writer.WriteBytes(memory.Span);
        }
    }

    private protected override DnsRecord Copy(uint ttl, bool cacheFlush) => new TxtRecord(Name, _strings, ttl, cacheFlush, Class);

    private protected override bool DataEquals(DnsRecord other)
    {
        var strings = ((TxtRecord)other)._strings;
        if (strings.Length != _strings.Length)
        {
            return false;
        }

        for (var i = 0; i < strings.Length; i++)
        {
            if (!strings[i].Span.SequenceEqual(_strings[i].Span))
            {
                return false;
            }
        }

        return true;
    }

    private protected override int GetDataHashCode()
    {
        var hash = new HashCode();
        foreach (var memory in _strings)
        {
            hash.Add(memory.Length);
            hash.AddBytes(memory.Span);
        }

        return hash.ToHashCode();
    }

    private protected override string DataToString() =>
        string.Join(' ', _strings.Select(s => "\"" + Encoding.UTF8.GetString(s.Span).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));

    private static bool KeyEquals(ReadOnlySpan<byte> bytes, string key)
    {
        if (bytes.Length != key.Length)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var a = (char)bytes[i];
            var b = key[i];
            if (a != b && (!char.IsAsciiLetter(a) || (a | 0x20) != (b | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlyMemory<byte>[] Copy(IEnumerable<ReadOnlyMemory<byte>> strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        var copies = strings.Select(s => (ReadOnlyMemory<byte>)s.ToArray()).ToArray();
        if (copies.Any(s => s.Length > MaxStringLength))
        {
            throw new ArgumentException($"a TXT character string has at most {MaxStringLength} bytes", nameof(strings));
        }

        return copies;
    }
}

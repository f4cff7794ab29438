using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Discovery;

/// <summary>
/// Reads one DNS message from untrusted bytes without throwing. A failed read sets <see cref="Status"/> to
/// <see cref="DecodeStatus.NeedMoreData"/> (the input ended) or <see cref="DecodeStatus.Invalid"/>, and <see cref="Error"/>.
/// </summary>
internal ref struct DnsReader
{
    private const int MaxLabels = 127;

    // Real messages need a few jumps per name; a long chain only costs time (each jump is checked to go backward).
    private const int MaxPointerJumps = 64;

    private readonly ReadOnlySpan<byte> _message;

    public DnsReader(ReadOnlySpan<byte> message)
    {
        _message = message;
        Status = DecodeStatus.Done;
    }

    public int Position { get; set; }

    public readonly int Length => _message.Length;

    public DecodeStatus Status { get; private set; }

    public ProtocolError Error { get; private set; }

    /// <summary>Reads a byte; the end of the input means more data is needed.</summary>
    public bool TryReadByte(out byte value) => TryReadByte(_message.Length, soft: true, out value);

    /// <summary>Reads a byte that must lie before <paramref name="end"/> (the end of a record's data).</summary>
    public bool TryReadByte(int end, out byte value) => TryReadByte(end, soft: false, out value);

    /// <summary>Reads a 16-bit integer; the end of the input means more data is needed.</summary>
    public bool TryReadUInt16(out ushort value) => TryReadUInt16(_message.Length, soft: true, out value);

    /// <summary>Reads a 16-bit integer that must lie before <paramref name="end"/>.</summary>
    public bool TryReadUInt16(int end, out ushort value) => TryReadUInt16(end, soft: false, out value);

    /// <summary>Reads a 32-bit integer; the end of the input means more data is needed.</summary>
    public bool TryReadUInt32(out uint value)
    {
        if (!Has(4, _message.Length, soft: true))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_message[Position..]);
        Position += 4;
        return true;
    }

    /// <summary>Reads <paramref name="count"/> bytes; the end of the input means more data is needed.</summary>
    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes) => TryReadBytes(count, _message.Length, soft: true, out bytes);

    /// <summary>Reads <paramref name="count"/> bytes that must lie before <paramref name="end"/>.</summary>
    public bool TryReadBytes(int count, int end, out ReadOnlySpan<byte> bytes) => TryReadBytes(count, end, soft: false, out bytes);

    /// <summary>Reads a name; the end of the input means more data is needed.</summary>
    public bool TryReadName(out DnsName? name) => TryReadName(_message.Length, soft: true, out name);

    /// <summary>Reads a name whose inline part must end before <paramref name="end"/> (a name inside record data).</summary>
    public bool TryReadName(int end, out DnsName? name) => TryReadName(end, soft: false, out name);

    /// <summary>
    /// Reads a possibly compressed name whose inline part must end before <paramref name="limit"/>. A pointer must point
    /// backward, and the labels it reaches must end before that pointer: each jump lowers the bound, so no chain of
    /// pointers can loop, and at most 64 jumps are followed.
    /// </summary>
    private bool TryReadName(int limit, bool soft, out DnsName? name)
    {
        name = null;
        var labels = new List<string>();
        var position = Position;
        var bound = limit;
        var resume = -1;
        var jumps = 0;
        var wireLength = 1;
        while (true)
        {
            if (position >= bound)
            {
                return NameOverrun(position, soft && resume < 0);
            }

            var length = _message[position];
            switch (length & 0xC0)
            {
                case 0x00 when length == 0:
                    Position = resume >= 0 ? resume : position + 1;
                    name = DnsName.FromValidatedLabels([.. labels], wireLength);
                    return true;
                case 0x00:
                    if (position + 1 + length > bound)
                    {
                        return NameOverrun(position, soft && resume < 0);
                    }

                    var bytes = _message.Slice(position + 1, length);
                    wireLength += 1 + length;
                    if (wireLength > DnsName.MaxWireLength || labels.Count == MaxLabels)
                    {
                        return Invalid(ProtocolErrorKind.TooLarge, position, $"a name is longer than {DnsName.MaxWireLength} bytes");
                    }

                    if (!Utf8.IsValid(bytes))
                    {
                        return Invalid(ProtocolErrorKind.BadText, position, "a label is not UTF-8");
                    }

                    labels.Add(Encoding.UTF8.GetString(bytes));
                    position += 1 + length;
                    break;
                case 0xC0:
                    if (position + 2 > bound)
                    {
                        return NameOverrun(position, soft && resume < 0);
                    }

                    var target = ((length & 0x3F) << 8) | _message[position + 1];
                    if (target >= position)
                    {
                        return Invalid(ProtocolErrorKind.Malformed, position, "a compression pointer does not point backward");
                    }

                    if (++jumps > MaxPointerJumps)
                    {
                        return Invalid(ProtocolErrorKind.Malformed, position, $"a name follows more than {MaxPointerJumps} compression pointers");
                    }

                    if (resume < 0)
                    {
                        resume = position + 2;
                    }

                    bound = position;
                    position = target;
                    break;
                default:
                    return Invalid(ProtocolErrorKind.BadField, position, $"label type 0x{length & 0xC0:x2} is not defined");
            }
        }
    }

    /// <summary>Forgets a failure, to read the same bytes another way.</summary>
    public void Recover(int position)
    {
        Position = position;
        Status = DecodeStatus.Done;
        Error = default;
    }

    public bool Invalid(ProtocolErrorKind kind, int offset, string message)
    {
        Status = DecodeStatus.Invalid;
        Error = ProtocolError.At(kind, _message, offset, message);
        return false;
    }

    private bool TryReadByte(int limit, bool soft, out byte value)
    {
        if (!Has(1, limit, soft))
        {
            value = 0;
            return false;
        }

        value = _message[Position++];
        return true;
    }

    private bool TryReadUInt16(int limit, bool soft, out ushort value)
    {
        if (!Has(2, limit, soft))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_message[Position..]);
        Position += 2;
        return true;
    }

    private bool TryReadBytes(int count, int limit, bool soft, out ReadOnlySpan<byte> bytes)
    {
        if (!Has(count, limit, soft))
        {
            bytes = default;
            return false;
        }

        bytes = _message.Slice(Position, count);
        Position += count;
        return true;
    }

    // Soft limits are the end of the input, where more bytes may come; hard ones end a record's data, where none can help.
    private bool Has(int count, int limit, bool soft)
    {
        if (Position + count <= Math.Min(limit, _message.Length))
        {
            return true;
        }

        return soft ? NeedMore(Position) : Invalid(ProtocolErrorKind.Malformed, Position, "a field runs past the end of its record");
    }

    private bool NameOverrun(int position, bool soft) =>
        soft ? NeedMore(position) : Invalid(ProtocolErrorKind.Malformed, position, "a name runs past the end of its record or the pointer that led to it");

    private bool NeedMore(int offset)
    {
        Status = DecodeStatus.NeedMoreData;
        Error = ProtocolError.At(ProtocolErrorKind.Truncated, _message, offset, "the message ends early");
        return false;
    }
}

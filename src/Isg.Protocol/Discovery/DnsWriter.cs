using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Isg.Protocol.Discovery;

/// <summary>
/// Builds one DNS message in a pooled buffer: big-endian integers, names with optional compression (a suffix written
/// before at an offset below 0x4000 becomes a two-byte pointer), and back-patched RDLENGTH fields. Dispose returns the buffer.
/// </summary>
internal sealed class DnsWriter : IDisposable
{
    private const int MaxPointerOffset = 0x3FFF;
    private const int MaxMessageLength = ushort.MaxValue;

    private readonly bool _compress;
    private readonly List<(DnsName Name, int LabelIndex, int Offset)> _written = [];
    private byte[] _buffer;
    private int _length;

    public DnsWriter(bool compress, int initialCapacity = 512)
    {
        _compress = compress;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Overwrites a 16-bit value written earlier at <paramref name="offset"/>.</summary>
    public void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(offset, 2), value);

    /// <summary>Writes <paramref name="name"/>, as a pointer to an earlier occurrence of its longest suffix already written when compressing.</summary>
    public void WriteName(DnsName name, bool compress = true)
    {
        var labels = name.Labels;
        var pointer = -1;
        var literal = labels.Count;
        if (_compress && compress)
        {
            for (var start = 0; start < labels.Count && pointer < 0; start++)
            {
                pointer = FindSuffix(name, start);
                if (pointer >= 0)
                {
                    literal = start;
                }
            }
        }

        for (var i = 0; i < literal; i++)
        {
            if (_compress && _length <= MaxPointerOffset)
            {
                _written.Add((name, i, _length));
            }

            var count = Encoding.UTF8.GetByteCount(labels[i]);
            var span = Reserve(1 + count);
            span[0] = (byte)count;
            Encoding.UTF8.GetBytes(labels[i], span[1..]);
        }

        if (pointer >= 0)
        {
            WriteUInt16((ushort)(0xC000 | pointer));
        }
        else
        {
            WriteByte(0);
        }
    }

    /// <summary>Copies the message to <paramref name="destination"/>.</summary>
    public void CopyTo(IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(_length);
        Written.CopyTo(span);
        destination.Advance(_length);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Offset of an earlier name whose labels from some index equal labels [start..] of `name` exactly (same case, so a
    // decoded name keeps the spelling it was written with), or -1.
    private int FindSuffix(DnsName name, int start)
    {
        var wanted = name.Labels.Count - start;
        foreach (var (other, index, offset) in _written)
        {
            if (other.Labels.Count - index != wanted)
            {
                continue;
            }

            var same = true;
            for (var k = 0; k < wanted && same; k++)
            {
                same = string.Equals(other.Labels[index + k], name.Labels[start + k], StringComparison.Ordinal);
            }

            if (same)
            {
                return offset;
            }
        }

        return -1;
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > MaxMessageLength)
        {
            throw new InvalidOperationException($"a DNS message is at most {MaxMessageLength} bytes");
        }

        if (_length + count > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            Written.CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}

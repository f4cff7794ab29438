using System.Text;

namespace Isg.Actors.Video;

/// <summary>The last <see cref="Capacity"/> bytes a tool wrote to stderr, kept in a ring. Thread-safe.</summary>
internal sealed class StderrTail(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private readonly Lock _lock = new();
    private long _written;
    private bool _overflowed;

    /// <summary>Bytes kept at most.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Appends <paramref name="bytes"/>, overwriting the oldest bytes when full.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            _overflowed |= _written + bytes.Length > _ring.Length;
            if (bytes.Length >= _ring.Length)
            {
                bytes = bytes[^_ring.Length..];
            }

            int start = (int)(_written % _ring.Length);
            int first = Math.Min(bytes.Length, _ring.Length - start);
            bytes[..first].CopyTo(_ring.AsSpan(start));
            bytes[first..].CopyTo(_ring);
            _written += bytes.Length;
        }
    }

    /// <summary>The kept text, oldest first, trimmed; a line cut by the ring is dropped.</summary>
    public override string ToString()
    {
        byte[] ordered;
        bool wrapped;
        lock (_lock)
        {
            wrapped = _overflowed;
            if (_written <= _ring.Length)
            {
                ordered = _ring.AsSpan(0, (int)_written).ToArray();
            }
            else
            {
                int start = (int)(_written % _ring.Length);
                ordered = [.. _ring.AsSpan(start), .. _ring.AsSpan(0, start)];
            }
        }

        ReadOnlySpan<byte> text = ordered;
        if (wrapped)
        {
            // The first line was cut by the ring, maybe inside a UTF-8 sequence: start at the next whole line.
            int newline = text.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                text = text[(newline + 1)..];
            }
        }

        return Encoding.UTF8.GetString(text).Trim();
    }
}

using System.Buffers.Binary;
using Isg.Protocol.Errors;
using Isg.Protocol.Peers;

namespace Isg.Protocol.Crdt;

/// <summary>
/// A hybrid logical clock reading: wall milliseconds since the Unix epoch (48 bits), a logical counter (16 bits)
/// and the writing device's tie-break (<see cref="DeviceId.TieBreak"/>). Totally ordered by wall, then logical,
/// then device; the 16-byte big-endian encoding sorts bytewise in the same order.
/// </summary>
public readonly record struct HlcTimestamp : IComparable<HlcTimestamp>
{
    /// <summary>Encoded size in bytes.</summary>
    public const int EncodedLength = 16;

    /// <summary>Largest representable wall time (2^48 - 1 ms, about the year 10889).</summary>
    public const long MaxWallMs = (1L << 48) - 1;

    /// <summary>Creates a timestamp; <paramref name="wallMs"/> must lie in [0, <see cref="MaxWallMs"/>].</summary>
    public HlcTimestamp(long wallMs, ushort logical, ulong device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wallMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wallMs, MaxWallMs);
        WallMs = wallMs;
        Logical = logical;
        Device = device;
    }

    /// <summary>Wall-clock component in Unix milliseconds.</summary>
    public long WallMs { get; }

    /// <summary>Counter that orders events within one wall millisecond.</summary>
    public ushort Logical { get; }

    /// <summary>Tie-break of the device that made the reading (the first 8 bytes of its id).</summary>
    public ulong Device { get; }

    /// <summary>Reads 16 bytes written by <see cref="WriteTo"/>; every 16-byte string is a valid timestamp.</summary>
    public static DecodeStatus TryRead(ReadOnlySpan<byte> source, out HlcTimestamp timestamp, out ProtocolError error)
    {
        if (source.Length < EncodedLength)
        {
            timestamp = default;
            error = ProtocolError.At(ProtocolErrorKind.Truncated, source, source.Length, $"an HLC timestamp is {EncodedLength} bytes");
            return DecodeStatus.NeedMoreData;
        }

        var head = BinaryPrimitives.ReadUInt64BigEndian(source);
        timestamp = new HlcTimestamp((long)(head >> 16), (ushort)head, BinaryPrimitives.ReadUInt64BigEndian(source[8..]));
        error = default;
        return DecodeStatus.Done;
    }

    /// <summary>Writes the 16-byte big-endian form (wall:48, logical:16, device:64) to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, EncodedLength, nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, ((ulong)WallMs << 16) | Logical);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Device);
    }

    /// <summary>Orders by wall time, then logical counter, then device tie-break.</summary>
    public int CompareTo(HlcTimestamp other)
    {
        var byWall = WallMs.CompareTo(other.WallMs);
        if (byWall != 0)
        {
            return byWall;
        }

        var byLogical = Logical.CompareTo(other.Logical);
        return byLogical != 0 ? byLogical : Device.CompareTo(other.Device);
    }

    /// <summary>Timestamp order.</summary>
    public static bool operator <(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) < 0;

    /// <summary>Timestamp order.</summary>
    public static bool operator >(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) > 0;

    /// <summary>Timestamp order.</summary>
    public static bool operator <=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) <= 0;

    /// <summary>Timestamp order.</summary>
    public static bool operator >=(HlcTimestamp left, HlcTimestamp right) => left.CompareTo(right) >= 0;
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Hashing;

/// <summary>A 32-byte SHA-256 digest as a value type: cheap to copy, compare and use as a dictionary key.</summary>
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>
{
    /// <summary>Digest length in bytes.</summary>
    public const int Length = 32;

    // Big-endian words, so ordinal comparison of the words equals lexicographic comparison of the bytes.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private Hash256(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>SHA-256 of the empty input.</summary>
    public static Hash256 Empty { get; } = Compute([]);

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Hash256 Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Length];
        SHA256.HashData(data, digest);
        return FromBytes(digest);
    }

    /// <summary>Wraps exactly 32 digest bytes.</summary>
    public static Hash256 FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != Length)
        {
            throw new ArgumentException($"a SHA-256 digest is {Length} bytes, got {digest.Length}", nameof(digest));
        }

        return new Hash256(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }

    /// <summary>Parses 64 hex digits (either case).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> text, out Hash256 hash, out ProtocolError error)
    {
        hash = default;
        if (text.Length != Length * 2)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, $"expected {Length * 2} hex digits, got {text.Length} characters");
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(text, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, "not a hex string");
            return false;
        }

        hash = FromBytes(bytes);
        error = default;
        return true;
    }

    /// <summary>Writes the 32 digest bytes to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>The digest as a new 32-byte array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Lowercase hex, 64 characters.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <inheritdoc />
    public bool Equals(Hash256 other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)_w0 ^ (int)(_w0 >> 32);

    /// <inheritdoc />
    public int CompareTo(Hash256 other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c != 0) return c;
        c = _w1.CompareTo(other._w1);
        if (c != 0) return c;
        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <inheritdoc />
    public override string ToString() => ToHex();

    /// <summary>Equality.</summary>
    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);

    /// <summary>Ordering by bytes.</summary>
    public static bool operator <(Hash256 left, Hash256 right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by bytes.</summary>
    public static bool operator >(Hash256 left, Hash256 right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by bytes.</summary>
    public static bool operator <=(Hash256 left, Hash256 right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by bytes.</summary>
    public static bool operator >=(Hash256 left, Hash256 right) => left.CompareTo(right) >= 0;
}

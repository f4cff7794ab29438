using Isg.Protocol.Errors;
using Isg.Protocol.Text;

namespace Isg.Protocol.Hashing;

/// <summary>
/// An IPFS content id of the one kind Isg stores: CIDv1, codec raw (0x55), multihash sha2-256 (0x12, 32 bytes), written
/// in multibase base32 (lowercase RFC 4648 without padding, prefix 'b'), e.g. <c>bafkrei…</c> (59 characters).
/// Binary form: varint 1, varint 0x55, 0x12, 0x20, the digest (all varints are one byte here).
/// </summary>
public readonly struct Cid : IEquatable<Cid>
{
    /// <summary>Length of the binary form in bytes.</summary>
    public const int BinaryLength = 4 + Hash256.Length;

    /// <summary>Length of the text form in characters: the 'b' prefix and 58 base32 digits.</summary>
    public const int TextLength = 1 + ((BinaryLength * 8) + 4) / 5;

    /// <summary>The CID version byte.</summary>
    public const byte Version1 = 0x01;

    /// <summary>The multicodec of raw binary blocks.</summary>
    public const byte RawCodec = 0x55;

    /// <summary>The multihash code of SHA-256.</summary>
    public const byte Sha256Code = 0x12;

    private Cid(Hash256 digest) => Digest = digest;

    /// <summary>The SHA-256 of the block's bytes.</summary>
    public Hash256 Digest { get; }

    /// <summary>The CID of raw block <paramref name="data"/>.</summary>
    public static Cid OfRaw(ReadOnlySpan<byte> data) => new(Hash256.Compute(data));

    /// <summary>Whether <paramref name="data"/> is the block this CID names (its SHA-256 equals <see cref="Digest"/>).</summary>
    public bool Matches(ReadOnlySpan<byte> data) => Hash256.Compute(data) == Digest;

    /// <summary>Writes the binary form (<see cref="BinaryLength"/> bytes) into <paramref name="destination"/>.</summary>
    public void WriteBinary(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, BinaryLength);
        destination[0] = Version1;
        destination[1] = RawCodec;
        destination[2] = Sha256Code;
        destination[3] = Hash256.Length;
        Digest.WriteTo(destination[4..]);
    }

    /// <summary>The text form: 'b' then the binary form in lowercase base32 without padding.</summary>
    public override string ToString()
    {
        Span<byte> binary = stackalloc byte[BinaryLength];
        WriteBinary(binary);
        return "b" + Base32.Encode(binary);
    }

    /// <summary>
    /// Parses the text form of a CIDv1 raw sha2-256 in base32 (either case after the 'b'/'B' prefix). Other versions,
    /// codecs, hashes and bases are reported as <see cref="ProtocolErrorKind.UnsupportedVersion"/> or
    /// <see cref="ProtocolErrorKind.BadField"/>; never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Cid cid, out ProtocolError error)
    {
        cid = default;
        if (text.Length == 0 || (text[0] != 'b' && text[0] != 'B'))
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, text.Length == 0
                ? "empty CID"
                : $"CID multibase prefix '{text[0]}' is not base32 ('b'); CIDv0 ('Qm…') ids are not raw blocks");
            return false;
        }

        if (text.Length != TextLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, $"a CIDv1 raw sha2-256 is {TextLength} characters, got {text.Length}");
            return false;
        }

        Span<byte> binary = stackalloc byte[BinaryLength];
        if (!Base32.TryDecode(text[1..], binary, out _))
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, "CID is not canonical base32 (a digit outside a-z, 2-7 or non-zero padding bits)");
            return false;
        }

        if (binary[0] != Version1)
        {
            error = ProtocolError.Of(ProtocolErrorKind.UnsupportedVersion, $"CID version {binary[0]} (only 1)");
            return false;
        }

        if (binary[1] != RawCodec || binary[2] != Sha256Code || binary[3] != Hash256.Length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField,
                $"CID codec 0x{binary[1]:x2} hash 0x{binary[2]:x2}/{binary[3]} (only raw 0x55 with sha2-256 0x12/32)");
            return false;
        }

        cid = new Cid(Hash256.FromBytes(binary.Slice(4, Hash256.Length)));
        error = default;
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/> but throws <see cref="ProtocolException"/> on bad input.</summary>
    public static Cid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var cid, out var error) ? cid : throw new ProtocolException(error);
    }

    /// <inheritdoc/>
    public bool Equals(Cid other) => Digest == other.Digest;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Cid other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Digest.GetHashCode();

    /// <summary>Equality of the digests.</summary>
    public static bool operator ==(Cid left, Cid right) => left.Equals(right);

    /// <summary>Inequality of the digests.</summary>
    public static bool operator !=(Cid left, Cid right) => !left.Equals(right);
}

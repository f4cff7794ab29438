using Isg.Protocol.Errors;
using Isg.Protocol.Text;

namespace Isg.Protocol.Hashing;

/// <summary>
/// The id of a block: SHA-256 of its plaintext. Written as 64 hex digits inside the node and as a CIDv1
/// (raw codec 0x55, sha2-256 multihash, multibase base32 'b') where it leaves the node, so IPFS peers and
/// gateways name the same blocks.
/// </summary>
public readonly struct BlockId : IEquatable<BlockId>, IComparable<BlockId>
{
    /// <summary>Length of the binary CID: version, codec, multihash code, digest length, digest.</summary>
    public const int CidByteLength = 4 + Hash256.Length;

    /// <summary>Length of the CID text: the multibase prefix plus base32 of <see cref="CidByteLength"/> bytes.</summary>
    public static readonly int CidTextLength = 1 + Base32.EncodedLength(CidByteLength);

    private const byte CidVersion = 0x01;
    private const byte RawCodec = 0x55;
    private const byte Sha256Multihash = 0x12;

    private BlockId(Hash256 hash) => Hash = hash;

    /// <summary>The SHA-256 digest this id is.</summary>
    public Hash256 Hash { get; }

    /// <summary>Id of <paramref name="plaintext"/>.</summary>
    public static BlockId Compute(ReadOnlySpan<byte> plaintext) => new(Hash256.Compute(plaintext));

    /// <summary>Wraps an already computed SHA-256 digest.</summary>
    public static BlockId FromHash(Hash256 hash) => new(hash);

    /// <summary>Wraps 32 digest bytes.</summary>
    public static BlockId FromBytes(ReadOnlySpan<byte> digest) => new(Hash256.FromBytes(digest));

    /// <summary>Parses 64 hex digits or a CIDv1 text (raw codec, sha2-256). Never throws on bad text.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out BlockId id, out ProtocolError error)
    {
        id = default;
        if (text.Length == Hash256.Length * 2)
        {
            if (!Hash256.TryParseHex(text, out var hash, out error))
            {
                return false;
            }

            id = new BlockId(hash);
            return true;
        }

        if (text.Length != CidTextLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText,
                $"a block id is 64 hex digits or a {CidTextLength}-character CIDv1, got {text.Length} characters");
            return false;
        }

        if (text[0] != 'b' && text[0] != 'B')
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, $"unsupported multibase prefix '{text[0]}' (only base32 'b')");
            return false;
        }

        Span<byte> bytes = stackalloc byte[CidByteLength];
        if (!Base32.TryDecode(text[1..], bytes, out var written) || written != CidByteLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, "CID is not valid base32");
            return false;
        }

        if (bytes[0] != CidVersion || bytes[1] != RawCodec || bytes[2] != Sha256Multihash || bytes[3] != Hash256.Length)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, bytes, 0,
                "CID must be version 1, raw codec (0x55), sha2-256 multihash of 32 bytes");
            return false;
        }

        id = new BlockId(Hash256.FromBytes(bytes[4..]));
        error = default;
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>, throwing <see cref="ProtocolException"/> on bad text.</summary>
    public static BlockId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var id, out var error) ? id : throw new ProtocolException(error);
    }

    /// <summary>Writes the 32 digest bytes.</summary>
    public void WriteTo(Span<byte> destination) => Hash.WriteTo(destination);

    /// <summary>The 32 digest bytes as a new array.</summary>
    public byte[] ToArray() => Hash.ToArray();

    /// <summary>Lowercase hex of the digest.</summary>
    public string ToHex() => Hash.ToHex();

    /// <summary>Writes the binary CIDv1 (<see cref="CidByteLength"/> bytes).</summary>
    public void WriteCidBytes(Span<byte> destination)
    {
        destination[0] = CidVersion;
        destination[1] = RawCodec;
        destination[2] = Sha256Multihash;
        destination[3] = Hash256.Length;
        Hash.WriteTo(destination[4..]);
    }

    /// <summary>The CIDv1 text, <c>bafkrei…</c>.</summary>
    public string ToCid()
    {
        Span<byte> bytes = stackalloc byte[CidByteLength];
        WriteCidBytes(bytes);
        return "b" + Base32.Encode(bytes);
    }

    /// <inheritdoc />
    public bool Equals(BlockId other) => Hash.Equals(other.Hash);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BlockId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Hash.GetHashCode();

    /// <inheritdoc />
    public int CompareTo(BlockId other) => Hash.CompareTo(other.Hash);

    /// <summary>The CID text.</summary>
    public override string ToString() => ToCid();

    /// <summary>Equality.</summary>
    public static bool operator ==(BlockId left, BlockId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BlockId left, BlockId right) => !left.Equals(right);

    /// <summary>Ordering by digest bytes.</summary>
    public static bool operator <(BlockId left, BlockId right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by digest bytes.</summary>
    public static bool operator >(BlockId left, BlockId right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by digest bytes.</summary>
    public static bool operator <=(BlockId left, BlockId right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by digest bytes.</summary>
    public static bool operator >=(BlockId left, BlockId right) => left.CompareTo(right) >= 0;
}

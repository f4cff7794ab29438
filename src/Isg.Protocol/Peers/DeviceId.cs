using System.Buffers.Binary;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Text;

namespace Isg.Protocol.Peers;

/// <summary>
/// A device's identity: SHA-256 of its certificate's DER. Shown as 56 upper-case base32 characters (52 data
/// characters in 4 groups of 13, each followed by a Luhn mod 32 check character) in 8 dash-separated groups of 7,
/// the same layout and check scheme as Syncthing device ids.
/// </summary>
public readonly struct DeviceId : IEquatable<DeviceId>, IComparable<DeviceId>
{
    /// <summary>Length of the digest in bytes.</summary>
    public const int Length = Hash256.Length;

    /// <summary>Length of the display form without dashes.</summary>
    public const int CharacterCount = 56;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const int DataCharacters = 52;
    private const int GroupData = 13;
    private const int DisplayGroup = 7;

    private readonly Hash256 _hash;

    private DeviceId(Hash256 hash) => _hash = hash;

    /// <summary>The underlying SHA-256 digest.</summary>
    public Hash256 Hash => _hash;

    /// <summary>The first display group (7 characters), for logs and compact listings; not unique.</summary>
    public string ShortId => ToString()[..DisplayGroup];

    /// <summary>The first 8 digest bytes as a big-endian integer: the tie-break used in hybrid logical clock timestamps.</summary>
    public ulong TieBreak
    {
        get
        {
            Span<byte> bytes = stackalloc byte[Length];
            _hash.WriteTo(bytes);
            return BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }
    }

    /// <summary>The device id of a certificate given as DER bytes.</summary>
    public static DeviceId FromCertificateDer(ReadOnlySpan<byte> der) => new(Hash256.Compute(der));

    /// <summary>Wraps an existing digest (e.g. one read from the catalogue).</summary>
    public static DeviceId FromHash(Hash256 hash) => new(hash);

    /// <summary>
    /// Parses the display form. Accepts either case and ignores dashes and spaces; fails with
    /// <see cref="ProtocolErrorKind.BadText"/> on a wrong length or character and
    /// <see cref="ProtocolErrorKind.BadCheckCharacter"/> when a check character does not match (a typo).
    /// </summary>
    public static bool TryParse(string? text, out DeviceId id, out ProtocolError error)
    {
        id = default;
        Span<char> chars = stackalloc char[CharacterCount];
        var count = 0;
        foreach (var c in text ?? string.Empty)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            if (count == CharacterCount)
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, $"a device id has {CharacterCount} characters besides dashes, got more");
                return false;
            }

            var upper = char.ToUpperInvariant(c);
            if (Alphabet.IndexOf(upper) < 0)
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{c}' is not a base32 character");
                return false;
            }

            chars[count++] = upper;
        }

        if (count != CharacterCount)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, $"a device id has {CharacterCount} characters besides dashes, got {count}");
            return false;
        }

        Span<char> data = stackalloc char[DataCharacters];
        for (var group = 0; group < 4; group++)
        {
            var source = chars.Slice(group * (GroupData + 1), GroupData + 1);
            if (LuhnCheckCharacter(source[..GroupData]) != source[GroupData])
            {
                error = ProtocolError.Of(
                    ProtocolErrorKind.BadCheckCharacter,
                    $"check character of group {group + 1} does not match: the device id has a typo");
                return false;
            }

            source[..GroupData].CopyTo(data[(group * GroupData)..]);
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (!Base32.TryDecode(data, bytes, out var written) || written != Length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, "the device id's characters do not decode to 32 bytes");
            return false;
        }

        id = new DeviceId(Hash256.FromBytes(bytes));
        error = default;
        return true;
    }

    /// <summary>The display form: 8 dash-separated groups of 7 upper-case characters.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        _hash.WriteTo(bytes);
        var data = Base32.Encode(bytes).ToUpperInvariant();

        Span<char> withChecks = stackalloc char[CharacterCount];
        for (var group = 0; group < 4; group++)
        {
            var source = data.AsSpan(group * GroupData, GroupData);
            var target = withChecks.Slice(group * (GroupData + 1), GroupData + 1);
            source.CopyTo(target);
            target[GroupData] = LuhnCheckCharacter(source);
        }

        Span<char> display = stackalloc char[CharacterCount + (CharacterCount / DisplayGroup) - 1];
        var written = 0;
        for (var i = 0; i < CharacterCount; i++)
        {
            if (i > 0 && i % DisplayGroup == 0)
            {
                display[written++] = '-';
            }

            display[written++] = withChecks[i];
        }

        return new string(display);
    }

    /// <summary>
    /// Luhn mod 32 over upper-case base32 characters, weights 1, 2, 1, ... from the left (Syncthing's variant).
    /// Detects every single-character substitution because doubling with digit folding permutes 0..31.
    /// </summary>
    internal static char LuhnCheckCharacter(ReadOnlySpan<char> characters)
    {
        const int n = 32;
        var factor = 1;
        var sum = 0;
        foreach (var c in characters)
        {
            var addend = factor * Alphabet.IndexOf(c);
            factor = 3 - factor;
            sum += (addend / n) + (addend % n);
        }

        return Alphabet[(n - (sum % n)) % n];
    }

    /// <inheritdoc />
    public bool Equals(DeviceId other) => _hash == other._hash;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DeviceId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash.GetHashCode();

    /// <summary>Orders by the digest bytes.</summary>
    public int CompareTo(DeviceId other) => _hash.CompareTo(other._hash);

    /// <summary>Equality of the digests.</summary>
    public static bool operator ==(DeviceId left, DeviceId right) => left.Equals(right);

    /// <summary>Inequality of the digests.</summary>
    public static bool operator !=(DeviceId left, DeviceId right) => !left.Equals(right);

    /// <summary>Digest order.</summary>
    public static bool operator <(DeviceId left, DeviceId right) => left.CompareTo(right) < 0;

    /// <summary>Digest order.</summary>
    public static bool operator >(DeviceId left, DeviceId right) => left.CompareTo(right) > 0;

    /// <summary>Digest order.</summary>
    public static bool operator <=(DeviceId left, DeviceId right) => left.CompareTo(right) <= 0;

    /// <summary>Digest order.</summary>
    public static bool operator >=(DeviceId left, DeviceId right) => left.CompareTo(right) >= 0;
}

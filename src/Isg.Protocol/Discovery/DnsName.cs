using System.Globalization;
using System.Text;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Discovery;

/// <summary>
/// A domain name as a sequence of labels (RFC 1035): each label 1..63 bytes of UTF-8, the wire form at most 255 bytes.
/// Labels may hold any character, dots and spaces included (DNS-SD instance names do). Names compare case-insensitively
/// for ASCII letters only (RFC 6762 §16), and keep the case they were created with. Immutable.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    /// <summary>The longest wire form of a name, root byte included.</summary>
    public const int MaxWireLength = 255;

    /// <summary>The longest label in bytes.</summary>
    public const int MaxLabelLength = 63;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string[] _labels;

    private DnsName(string[] labels, int wireLength)
    {
        _labels = labels;
        WireLength = wireLength;
    }

    /// <summary>The root name (no labels), shown as ".".</summary>
    public static DnsName Root { get; } = new([], 1);

    /// <summary>The labels, leftmost first.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Length of the uncompressed wire form, the root byte included.</summary>
    public int WireLength { get; }

    /// <summary>True for the root name.</summary>
    public bool IsRoot => _labels.Length == 0;

    /// <summary>The name without its leftmost label (the root's parent is the root).</summary>
    public DnsName Parent => _labels.Length == 0 ? this : new DnsName(_labels[1..], WireLength - 1 - Encoding.UTF8.GetByteCount(_labels[0]));

    /// <summary>
    /// The name made of <paramref name="labels"/>. Throws <see cref="ArgumentException"/> for an empty label, a label over
    /// 63 bytes of UTF-8, or a name over 255 bytes.
    /// </summary>
    public static DnsName FromLabels(params IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var array = labels.ToArray();
        if (!TryValidate(array, out var wireLength, out var error))
        {
            throw new ArgumentException(error.Message, nameof(labels));
        }

        return new DnsName(array, wireLength);
    }

    /// <summary>
    /// Parses presentation form: labels separated by dots, an optional final dot, <c>\.</c> and <c>\\</c> for a literal
    /// dot or backslash, <c>\DDD</c> for an ASCII character by decimal code. "." and "" are the root. Fails with
    /// <see cref="ProtocolErrorKind.BadText"/>.
    /// </summary>
    public static bool TryParse(string? text, out DnsName? name, out ProtocolError error)
    {
        name = null;
        if (text is null)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, "no name given");
            return false;
        }

        if (text.Length == 0 || text == ".")
        {
            name = Root;
            error = default;
            return true;
        }

        var labels = new List<string>();
        var label = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (label.Length == 0)
                {
                    error = ProtocolError.Of(ProtocolErrorKind.BadText, $"empty label in '{text}'");
                    return false;
                }

                labels.Add(label.ToString());
                label.Clear();
                continue;
            }

            if (c != '\\')
            {
                label.Append(c);
                continue;
            }

            if (i + 1 >= text.Length)
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{text}' ends with a lone backslash");
                return false;
            }

            if (char.IsAsciiDigit(text[i + 1]))
            {
                if (i + 3 >= text.Length)
                {
                    error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{text}' has a short \\DDD escape");
                    return false;
                }

                if (!int.TryParse(text.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code > 127)
                {
                    error = ProtocolError.Of(ProtocolErrorKind.BadText, $"'{text}' has a \\DDD escape that is not an ASCII code");
                    return false;
                }

                label.Append((char)code);
                i += 3;
                continue;
            }

            label.Append(text[i + 1]);
            i++;
        }

        if (label.Length > 0)
        {
            labels.Add(label.ToString());
        }

        var array = labels.ToArray();
        if (!TryValidate(array, out var wireLength, out error))
        {
            return false;
        }

        name = new DnsName(array, wireLength);
        return true;
    }

    /// <summary>Parses presentation form (see <see cref="TryParse"/>); throws <see cref="ArgumentException"/> on bad text.</summary>
    public static DnsName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name! : throw new ArgumentException(error.Message, nameof(text));

    /// <summary>This name with <paramref name="label"/> added on the left. Throws <see cref="ArgumentException"/> when too long.</summary>
    public DnsName Prepend(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return FromLabels([label, .. _labels]);
    }

    /// <summary>True when this name is <paramref name="suffix"/> or below it (case-insensitive).</summary>
    public bool EndsWith(DnsName suffix)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        var offset = _labels.Length - suffix._labels.Length;
        if (offset < 0)
        {
            return false;
        }

        for (var i = 0; i < suffix._labels.Length; i++)
        {
            if (!LabelEquals(_labels[offset + i], suffix._labels[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ASCII case-insensitive equality of every label.</summary>
    public bool Equals(DnsName? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_labels.Length != other._labels.Length || WireLength != other.WireLength)
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (!LabelEquals(_labels[i], other._labels[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    /// <summary>A hash consistent with the case-insensitive <see cref="Equals(DnsName)"/>.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var label in _labels)
        {
            foreach (var c in label)
            {
                hash.Add(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
            }

            hash.Add('.');
        }

        return hash.ToHashCode();
    }

    /// <summary>Presentation form without a final dot ("." for the root); dots and backslashes inside labels escaped.</summary>
    public override string ToString()
    {
        if (_labels.Length == 0)
        {
            return ".";
        }

        var builder = new StringBuilder(WireLength + 8);
        for (var i = 0; i < _labels.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('.');
            }

            foreach (var c in _labels[i])
            {
                if (c is '.' or '\\')
                {
                    builder.Append('\\').Append(c);
                }
                else if (c < ' ' || c == '\x7f')
                {
                    builder.Append('\\').Append(((int)c).ToString("D3", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append(c);
                }
            }
        }

        return builder.ToString();
    }

    /// <summary>Equality of names (see <see cref="Equals(DnsName)"/>).</summary>
    public static bool operator ==(DnsName? left, DnsName? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality of names.</summary>
    public static bool operator !=(DnsName? left, DnsName? right) => !(left == right);

    /// <summary>ASCII case-insensitive comparison of two labels.</summary>
    internal static bool LabelEquals(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y && (!char.IsAsciiLetter(x) || (x | 0x20) != (y | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Wraps labels already checked by the decoder.</summary>
    internal static DnsName FromValidatedLabels(string[] labels, int wireLength) => labels.Length == 0 ? Root : new DnsName(labels, wireLength);

    private static bool TryValidate(string[] labels, out int wireLength, out ProtocolError error)
    {
        wireLength = 1;
        foreach (var label in labels)
        {
            if (label is null || label.Length == 0)
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, "a label is empty");
                return false;
            }

            int bytes;
            try
            {
                bytes = s_strictUtf8.GetByteCount(label);
            }
            catch (EncoderFallbackException)
            {
                error = ProtocolError.Of(ProtocolErrorKind.BadText, "a label is not valid Unicode text");
                return false;
            }

            if (bytes > MaxLabelLength)
            {
                error = ProtocolError.Of(ProtocolErrorKind.TooLarge, $"label '{label}' has {bytes} bytes; at most {MaxLabelLength}");
                return false;
            }

            wireLength += 1 + bytes;
        }

        if (wireLength > MaxWireLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.TooLarge, $"the name has {wireLength} bytes on the wire; at most {MaxWireLength}");
            return false;
        }

        error = default;
        return true;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using Isg.Protocol.Errors;

namespace Isg.Protocol.Video;

/// <summary>
/// The payload of a pack video, which carries many stored objects (sealed blocks, parity shards) so a video-only
/// backend can fetch one by name. Little-endian: magic "ISGP" (4), version (1), entry count (u32), then per entry
/// the name length (u8), the name (ASCII [0-9a-z], 16..128 characters, as object names are), the object's offset
/// from the payload's first byte (u64) and its length (u32); then the objects. Entries are in ascending offset
/// order, do not overlap and start after the index, so one object is read by a seek, never by loading the pack.
/// </summary>
public static class BlockPack
{
    /// <summary>The only version this code writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Bytes before the first entry: magic, version, entry count.</summary>
    public const int HeaderLength = 9;

    /// <summary>Bytes of an entry besides its name: name length, offset, length.</summary>
    public const int EntryFixedLength = 13;

    /// <summary>Shortest object name (as <c>ObjectNames.MinLength</c>).</summary>
    public const int MinNameLength = 16;

    /// <summary>Longest object name (as <c>ObjectNames.MaxLength</c>).</summary>
    public const int MaxNameLength = 128;

    /// <summary>Most entries in one pack: far more than a pack of the smallest blocks holds.</summary>
    public const int MaxEntries = 1 << 20;

    private static readonly SearchValues<byte> s_nameBytes = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz"u8);
    private static readonly SearchValues<char> s_nameChars = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz");

    /// <summary>"ISGP".</summary>
    public static ReadOnlySpan<byte> Magic => "ISGP"u8;

    /// <summary>Whether <paramref name="name"/> can name a pack object: <c>^[0-9a-z]{16,128}$</c>, the rule of object names.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name) =>
        name.Length is >= MinNameLength and <= MaxNameLength && !name.ContainsAnyExcept(s_nameChars);

    /// <summary>
    /// Decodes the index at the start of <paramref name="source"/> (the bytes after it are ignored). Returns
    /// <see cref="DecodeStatus.NeedMoreData"/> (kind Truncated) while <paramref name="source"/> is a valid prefix of an
    /// index, <see cref="DecodeStatus.Invalid"/> with a typed error at the offending byte on a bad magic, version,
    /// count, name, duplicate name, or a range that overlaps, goes backwards or lies inside the index. Never throws.
    /// Ranges are not checked against the payload's length: a reader does that against the payload it has.
    /// </summary>
    public static DecodeStatus TryReadIndex(ReadOnlySpan<byte> source, out BlockPackIndex index, out ProtocolError error)
    {
        index = null!;
        var magicBytes = Math.Min(source.Length, Magic.Length);
        if (!source[..magicBytes].SequenceEqual(Magic[..magicBytes]))
        {
            error = ProtocolError.At(ProtocolErrorKind.BadMagic, source, 0, "not a block pack (magic is not ISGP)");
            return DecodeStatus.Invalid;
        }

        if (source.Length > 4 && source[4] != CurrentVersion)
        {
            error = ProtocolError.At(ProtocolErrorKind.UnsupportedVersion, source, 4, $"block pack version {source[4]} is not {CurrentVersion}");
            return DecodeStatus.Invalid;
        }

        if (source.Length < HeaderLength)
        {
            error = ProtocolError.At(ProtocolErrorKind.Truncated, source, source.Length, $"block pack header needs {HeaderLength} bytes, got {source.Length}");
            return DecodeStatus.NeedMoreData;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(source[5..]);
        if (count > MaxEntries)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, source, 5, $"block pack claims {count} entries, at most {MaxEntries} are allowed");
            return DecodeStatus.Invalid;
        }

        // Sized by the bytes present, never by the untrusted count alone.
        var entries = new BlockPackEntry[(int)Math.Min(count, (source.Length - HeaderLength) / (EntryFixedLength + MinNameLength))];
        var names = new HashSet<string>((int)Math.Min(count, 1024), StringComparer.Ordinal);
        var position = HeaderLength;
        long previousEnd = 0;
        for (var i = 0; i < count; i++)
        {
            if (source.Length <= position)
            {
                return NeedMore(source, position, i, count, out error);
            }

            int nameLength = source[position];
            if (nameLength is < MinNameLength or > MaxNameLength)
            {
                error = ProtocolError.At(ProtocolErrorKind.BadField, source, position, $"entry {i}: a name is {MinNameLength}..{MaxNameLength} characters, got {nameLength}");
                return DecodeStatus.Invalid;
            }

            var available = Math.Min(nameLength, source.Length - position - 1);
            var bad = source.Slice(position + 1, available).IndexOfAnyExcept(s_nameBytes);
            if (bad >= 0)
            {
                error = ProtocolError.At(ProtocolErrorKind.BadText, source, position + 1 + bad, $"entry {i}: a name is [0-9a-z] only");
                return DecodeStatus.Invalid;
            }

            if (source.Length < position + EntryFixedLength + nameLength)
            {
                return NeedMore(source, position, i, count, out error);
            }

            var name = System.Text.Encoding.ASCII.GetString(source.Slice(position + 1, nameLength));
            var fields = position + 1 + nameLength;
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(source[fields..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(source[(fields + 8)..]);
            if (length > Array.MaxLength)
            {
                error = ProtocolError.At(ProtocolErrorKind.TooLarge, source, fields + 8, $"entry {i}: {length} bytes is more than an object may be");
                return DecodeStatus.Invalid;
            }

            if (offset > (ulong)(long.MaxValue - length) || (long)offset < previousEnd)
            {
                error = ProtocolError.At(ProtocolErrorKind.BadField, source, fields,
                    $"entry {i}: offset {offset} overlaps or precedes the previous object, which ends at {previousEnd}");
                return DecodeStatus.Invalid;
            }

            if (!names.Add(name))
            {
                error = ProtocolError.At(ProtocolErrorKind.BadField, source, position + 1, $"entry {i}: name {name} appears twice");
                return DecodeStatus.Invalid;
            }

            if (i == entries.Length)
            {
                Array.Resize(ref entries, (int)Math.Min(count, Math.Max(16, entries.Length * 2L)));
            }

            entries[i] = new BlockPackEntry(name, (long)offset, (int)length);
            previousEnd = (long)offset + length;
            position = fields + 12;
        }

        if (count > 0 && entries[0].Offset < position)
        {
            error = ProtocolError.At(ProtocolErrorKind.BadField, source, HeaderLength,
                $"the first object starts at {entries[0].Offset}, inside the {position}-byte index");
            return DecodeStatus.Invalid;
        }

        if (entries.Length != count)
        {
            Array.Resize(ref entries, (int)count);
        }

        index = new BlockPackIndex(entries, position);
        error = default;
        return DecodeStatus.Done;
    }

    private static DecodeStatus NeedMore(ReadOnlySpan<byte> source, int position, int entry, uint count, out ProtocolError error)
    {
        error = ProtocolError.At(ProtocolErrorKind.Truncated, source, position, $"block pack index ends inside entry {entry} of {count}");
        return DecodeStatus.NeedMoreData;
    }
}

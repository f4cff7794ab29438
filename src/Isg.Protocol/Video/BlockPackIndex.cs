using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Isg.Protocol.Video;

/// <summary>
/// The index at the front of a block pack: which objects it holds and where, in ascending, non-overlapping payload
/// ranges that start after the index. Immutable and thread-safe. Read one with <see cref="BlockPack.TryReadIndex"/>.
/// </summary>
public sealed class BlockPackIndex
{
    private readonly BlockPackEntry[] _entries;
    private readonly Dictionary<string, int> _byName;

    internal BlockPackIndex(BlockPackEntry[] entries, int encodedLength)
    {
        _entries = entries;
        EncodedLength = encodedLength;
        _byName = new Dictionary<string, int>(entries.Length, StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            _byName.Add(entries[i].Name, i);
        }
    }

    /// <summary>The entries in payload order.</summary>
    public IReadOnlyList<BlockPackEntry> Entries => _entries;

    /// <summary>Bytes of the encoded index (<see cref="BlockPack.HeaderLength"/> plus every entry).</summary>
    public int EncodedLength { get; }

    /// <summary>The payload offset just past the last object: the whole pack's length when its objects are contiguous.</summary>
    public long End => _entries.Length == 0 ? EncodedLength : _entries[^1].End;

    /// <summary>
    /// Lays out <paramref name="objects"/> (names unique and valid per <see cref="BlockPack.IsValidName"/>, lengths
    /// not negative) contiguously after the index, in the given order. Throws <see cref="ArgumentException"/> on a bad
    /// name, a duplicate or more than <see cref="BlockPack.MaxEntries"/> objects (a caller bug, not bad input).
    /// </summary>
    public static BlockPackIndex Create(IReadOnlyList<(string Name, int Length)> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(objects.Count, BlockPack.MaxEntries, nameof(objects));
        long indexLength = BlockPack.HeaderLength;
        foreach (var (name, length) in objects)
        {
            if (name is null || !BlockPack.IsValidName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid pack object name", nameof(objects));
            }

            ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(objects));
            indexLength += BlockPack.EntryFixedLength + name.Length;
        }

        var entries = new BlockPackEntry[objects.Count];
        var offset = indexLength;
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new BlockPackEntry(objects[i].Name, offset, objects[i].Length);
            offset += objects[i].Length;
        }

        try
        {
            return new BlockPackIndex(entries, checked((int)indexLength));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"duplicate pack object name: {e.Message}", nameof(objects), e);
        }
    }

    /// <summary>
    /// A copy without the objects in <paramref name="names"/> (names it lacks are ignored); offsets stay as they are,
    /// so it still describes the same payload. Used for the live-entries index kept beside a video.
    /// </summary>
    public BlockPackIndex Without(IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var kept = _entries.Where(e => !names.Contains(e.Name)).ToArray();
        var length = BlockPack.HeaderLength + kept.Sum(e => BlockPack.EntryFixedLength + e.Name.Length);
        return new BlockPackIndex(kept, length);
    }

    /// <summary>The entry of <paramref name="name"/>, if the pack holds it.</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out BlockPackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out var i))
        {
            entry = _entries[i];
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Writes the encoding (<see cref="EncodedLength"/> bytes, little-endian fields) into <paramref name="destination"/>.</summary>
    public void WriteTo(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var span = destination.GetSpan(EncodedLength)[..EncodedLength];
        WriteTo(span);
        destination.Advance(EncodedLength);
    }

    /// <summary>Writes the encoding into the first <see cref="EncodedLength"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, EncodedLength, nameof(destination));
        BlockPack.Magic.CopyTo(destination);
        destination[4] = BlockPack.CurrentVersion;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[5..], (uint)_entries.Length);
        var position = BlockPack.HeaderLength;
        foreach (var entry in _entries)
        {
            destination[position++] = (byte)entry.Name.Length;
            position += Encoding.ASCII.GetBytes(entry.Name, destination[position..]);
            BinaryPrimitives.WriteUInt64LittleEndian(destination[position..], (ulong)entry.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(position + 8)..], (uint)entry.Length);
            position += 12;
        }
    }
}

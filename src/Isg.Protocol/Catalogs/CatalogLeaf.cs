using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Isg.Protocol.Hashing;

namespace Isg.Protocol.Catalogs;

/// <summary>
/// One catalogue entry as a leaf of a catalogue Merkle tree (snapshots, peer sync): the canonical encoding of
/// (path, kind, size, mode, mtime, link target, content Merkle root) and its SHA-256. Feed the leaves of a
/// catalogue sorted by path (UTF-8 byte order) to <see cref="Merkle.MerkleTreeBuilder"/> to get its root.
/// Encoding (big-endian): version byte 1, u32 path length + UTF-8 path, kind byte, i64 size, i32 mode,
/// i64 mtime (ns), link flag byte (0 none, 1 present) + u32 length + UTF-8 target, 32-byte content root.
/// Lengths prefix the strings, so no two different entries share an encoding.
/// </summary>
public readonly record struct CatalogLeaf(string Path, byte Kind, long Size, int Mode, long MtimeUnixNs, string? LinkTarget, Hash256 MerkleRoot)
{
    /// <summary>The encoding version this code writes (the first byte).</summary>
    public const byte FormatVersion = 1;

    // version, path length, kind, size, mode, mtime, link flag, link length, root.
    private const int FixedLength = 1 + 4 + 1 + 8 + 4 + 8 + 1 + 4 + Hash256.Length;
    private const int StackLimit = 256;

    /// <summary>The length of <see cref="Encode"/>'s output in bytes.</summary>
    public int EncodedLength => FixedLength + Encoding.UTF8.GetByteCount(Path ?? string.Empty) +
        (LinkTarget is null ? 0 : Encoding.UTF8.GetByteCount(LinkTarget));

    /// <summary>Writes the canonical encoding to the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(Path);
        var length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"the leaf needs {length} bytes, the destination has {destination.Length}", nameof(destination));
        }

        return Write(destination);
    }

    /// <summary>The canonical encoding as a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>
    /// The hash this entry enters a catalogue Merkle tree with: <see cref="Merkle.MerkleTree.HashLeaf"/> of
    /// <see cref="ComputeHash"/> (see <see cref="Merkle.MerkleTreeBuilder.AppendHashedLeaf"/>).
    /// </summary>
    public Hash256 ComputeTreeHash() => Merkle.MerkleTree.HashLeaf(ComputeHash());

    /// <summary>SHA-256 of the canonical encoding: the leaf value for a catalogue Merkle tree.</summary>
    public Hash256 ComputeHash()
    {
        ArgumentNullException.ThrowIfNull(Path);
        var length = EncodedLength;
        if (length <= StackLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLimit];
            return Hash256.Compute(buffer[..Write(buffer)]);
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return Hash256.Compute(rented.AsSpan(0, Write(rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // The caller has checked that destination holds EncodedLength bytes; ComputeHash comes here directly so the strings'
    // UTF-8 lengths are counted once per leaf, not once for the buffer and again inside Encode.
    private int Write(Span<byte> destination)
    {
        var at = 0;
        destination[at++] = FormatVersion;
        at += WriteString(destination[at..], Path);
        destination[at++] = Kind;
        BinaryPrimitives.WriteInt64BigEndian(destination[at..], Size);
        at += 8;
        BinaryPrimitives.WriteInt32BigEndian(destination[at..], Mode);
        at += 4;
        BinaryPrimitives.WriteInt64BigEndian(destination[at..], MtimeUnixNs);
        at += 8;
        destination[at++] = LinkTarget is null ? (byte)0 : (byte)1;
        at += WriteString(destination[at..], LinkTarget ?? string.Empty);
        MerkleRoot.WriteTo(destination[at..]);
        return at + Hash256.Length;
    }

    private static int WriteString(Span<byte> destination, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, destination[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)written);
        return 4 + written;
    }
}

using System.Buffers;
using Google.Protobuf;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Manifests.Wire;
using Isg.Protocol.Merkle;

namespace Isg.Protocol.Manifests;

/// <summary>
/// The manifest of a file's content: its blocks in order, the total size and the Merkle root over the block ids
/// (<see cref="MerkleTree"/>, ids as leaves). Encoded as a varint length prefix followed by a protobuf
/// <see cref="ManifestMessage"/>, so a truncated input is detectable. Immutable and thread-safe.
/// </summary>
public sealed class Manifest
{
    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The largest message (after the length prefix) a decoder accepts, in bytes (64 MiB).</summary>
    public const int MaxMessageLength = 64 * 1024 * 1024;

    /// <summary>
    /// The most blocks a manifest may hold, so that its message always fits <see cref="MaxMessageLength"/>
    /// (at most 42 bytes per block); about 1.4 TiB of content at the default 1 MiB average chunk.
    /// </summary>
    public const int MaxBlocks = 1_500_000;

    private const int MaxPrefixLength = 4;

    // Unknown fields are skipped rather than kept: nothing re-encodes them, and keeping them would cost memory per field.
    private static readonly MessageParser<ManifestMessage> s_parser = ManifestMessage.Parser.WithDiscardUnknownFields(true);

    private readonly BlockRef[] _blocks;

    private Manifest(BlockRef[] blocks, long size, Hash256 merkleRoot)
    {
        _blocks = blocks;
        Blocks = Array.AsReadOnly(blocks);
        Size = size;
        MerkleRoot = merkleRoot;
    }

    /// <summary>The content's blocks in order.</summary>
    public IReadOnlyList<BlockRef> Blocks { get; }

    /// <summary>Total content length in bytes: the sum of the block lengths.</summary>
    public long Size { get; }

    /// <summary>Merkle root over the block ids in order (SHA-256 of the empty string for no blocks).</summary>
    public Hash256 MerkleRoot { get; }

    /// <summary>The format version (<see cref="CurrentVersion"/>).</summary>
    public int Version => CurrentVersion;

    /// <summary>
    /// Builds a manifest, computing size and Merkle root. Throws <see cref="ArgumentOutOfRangeException"/> for a block
    /// length below 1 and <see cref="ArgumentException"/> for more than <see cref="MaxBlocks"/> blocks.
    /// </summary>
    public static Manifest Create(IEnumerable<BlockRef> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        BlockRef[] array = [.. blocks];
        if (array.Length > MaxBlocks)
        {
            throw new ArgumentException($"a manifest holds at most {MaxBlocks} blocks, got {array.Length}", nameof(blocks));
        }

        long size = 0;
        var merkle = new MerkleTreeBuilder();
        foreach (var block in array)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(block.Length, nameof(blocks));
            size += block.Length;
            merkle.Append(block.Id.Hash);
        }

        return new Manifest(array, size, merkle.ComputeRoot());
    }

    /// <summary>Writes the varint length prefix and the protobuf message to <paramref name="writer"/>.</summary>
    public void Encode(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var message = ToMessage();
        var length = message.CalculateSize();
        var total = VarintLength((uint)length) + length;
        WriteFramed(message, length, writer.GetSpan(total));
        writer.Advance(total);
    }

    /// <summary>The encoding of <see cref="Encode"/> as a new array.</summary>
    public byte[] ToBytes()
    {
        var message = ToMessage();
        var length = message.CalculateSize();
        var bytes = new byte[VarintLength((uint)length) + length];
        WriteFramed(message, length, bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes one manifest from the start of <paramref name="input"/>; never throws on bad input. Done: the manifest
    /// and the bytes it took (prefix and message; bytes after it are not looked at). NeedMoreData: a valid prefix
    /// (the error says Truncated). Invalid: the error gives the kind and the offset (the prefix byte for framing
    /// errors, the top-level field for a malformed one, otherwise the message start): Malformed (overlong varint,
    /// unparsable protobuf), TooLarge (length above <see cref="MaxMessageLength"/>, more than <see cref="MaxBlocks"/>
    /// blocks), UnsupportedVersion, BadField (an id or root not 32 bytes, a zero or too large block length, a size not
    /// the sum of the lengths), HashMismatch (a Merkle root that does not match the blocks). Unknown fields are ignored.
    /// </summary>
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> input, out Manifest? manifest, out int bytesConsumed, out ProtocolError error)
    {
        manifest = null;
        bytesConsumed = 0;

        var status = TryReadPrefix(input, out var length, out var prefixLength, out error);
        if (status != DecodeStatus.Done)
        {
            return status;
        }

        if (input.Length - prefixLength < length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.Truncated, $"manifest message needs {length} bytes, have {input.Length - prefixLength}");
            return DecodeStatus.NeedMoreData;
        }

        var body = input.Slice(prefixLength, length);
        if (!TryCountBlocks(body, out var blockCount, out var badOffset))
        {
            error = ProtocolError.At(ProtocolErrorKind.Malformed, input, prefixLength + badOffset, "manifest is not a valid protobuf message");
            return DecodeStatus.Invalid;
        }

        if (blockCount > MaxBlocks)
        {
            error = ProtocolError.At(ProtocolErrorKind.TooLarge, input, prefixLength, $"manifest has {blockCount} blocks, at most {MaxBlocks} allowed");
            return DecodeStatus.Invalid;
        }

        ManifestMessage message;
        try
        {
            message = s_parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            error = ProtocolError.At(ProtocolErrorKind.Malformed, input, prefixLength, $"manifest is not a valid protobuf message: {ex.Message}");
            return DecodeStatus.Invalid;
        }

        if (!TryFromMessage(message, out manifest, out var kind, out var reason))
        {
            error = ProtocolError.At(kind, input, prefixLength, reason);
            return DecodeStatus.Invalid;
        }

        bytesConsumed = prefixLength + length;
        error = default;
        return DecodeStatus.Done;
    }

    private static DecodeStatus TryReadPrefix(ReadOnlySpan<byte> input, out int length, out int prefixLength, out ProtocolError error)
    {
        uint value = 0;
        length = 0;
        prefixLength = 0;
        for (var i = 0; ; i++)
        {
            if (i == MaxPrefixLength)
            {
                // Four 7-bit groups already cover 2^28 > MaxMessageLength: any fifth byte is too large or overlong.
                error = ProtocolError.At(ProtocolErrorKind.TooLarge, input, 0, $"manifest length prefix is longer than {MaxPrefixLength} bytes");
                return DecodeStatus.Invalid;
            }

            if (i == input.Length)
            {
                error = ProtocolError.Of(ProtocolErrorKind.Truncated, "manifest length prefix is incomplete");
                return DecodeStatus.NeedMoreData;
            }

            var b = input[i];
            value |= (uint)(b & 0x7F) << (7 * i);
            if (value > MaxMessageLength)
            {
                error = ProtocolError.At(ProtocolErrorKind.TooLarge, input, 0, $"manifest length exceeds {MaxMessageLength} bytes");
                return DecodeStatus.Invalid;
            }

            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    error = ProtocolError.At(ProtocolErrorKind.Malformed, input, i, "manifest length prefix is an overlong varint");
                    return DecodeStatus.Invalid;
                }

                length = (int)value;
                prefixLength = i + 1;
                error = default;
                return DecodeStatus.Done;
            }
        }
    }

    // Walks the top-level fields without allocating, so that a hostile message cannot make the parser build millions
    // of block objects first. Returns false with the field's offset for a bad tag, a group or a field past the end.
    private static bool TryCountBlocks(ReadOnlySpan<byte> body, out int blockCount, out int badOffset)
    {
        const uint BlocksTag = (4 << 3) | 2;
        blockCount = 0;
        var position = 0;
        while (position < body.Length)
        {
            badOffset = position;
            if (!TryReadVarint(body, ref position, out var tag) || tag >> 3 == 0 || tag > uint.MaxValue)
            {
                return false;
            }

            ulong skip;
            switch (tag & 7)
            {
                case 0:
                    if (!TryReadVarint(body, ref position, out _))
                    {
                        return false;
                    }

                    skip = 0;
                    break;
                case 1:
                    skip = 8;
                    break;
                case 2:
                    if (!TryReadVarint(body, ref position, out skip))
                    {
                        return false;
                    }

                    break;
                case 5:
                    skip = 4;
                    break;
                default:
                    // Groups (3, 4) are not part of this format; 6 and 7 are not wire types.
                    return false;
            }

            if (skip > (ulong)(body.Length - position))
            {
                return false;
            }

            position += (int)skip;
            if (tag == BlocksTag)
            {
                blockCount++;
            }
        }

        badOffset = 0;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryFromMessage(ManifestMessage message, out Manifest? manifest, out ProtocolErrorKind kind, out string reason)
    {
        manifest = null;
        if (message.Version != CurrentVersion)
        {
            (kind, reason) = (ProtocolErrorKind.UnsupportedVersion, $"manifest version {message.Version} is not supported (only {CurrentVersion})");
            return false;
        }

        if (message.MerkleRoot.Length != Hash256.Length)
        {
            (kind, reason) = (ProtocolErrorKind.BadField, $"merkle_root is {message.MerkleRoot.Length} bytes, expected {Hash256.Length}");
            return false;
        }

        var blocks = new BlockRef[message.Blocks.Count];
        long sum = 0;
        var merkle = new MerkleTreeBuilder();
        for (var i = 0; i < blocks.Length; i++)
        {
            var wire = message.Blocks[i];
            if (wire.Id.Length != Hash256.Length)
            {
                (kind, reason) = (ProtocolErrorKind.BadField, $"block {i}: id is {wire.Id.Length} bytes, expected {Hash256.Length}");
                return false;
            }

            if (wire.Length is 0 or > int.MaxValue)
            {
                (kind, reason) = (ProtocolErrorKind.BadField, $"block {i}: length {wire.Length} is outside 1..{int.MaxValue}");
                return false;
            }

            var id = BlockId.FromBytes(wire.Id.Span);
            blocks[i] = new BlockRef(id, (int)wire.Length);
            sum += wire.Length;
            merkle.Append(id.Hash);
        }

        if (message.Size != (ulong)sum)
        {
            (kind, reason) = (ProtocolErrorKind.BadField, $"size {message.Size} is not the sum of the block lengths ({sum})");
            return false;
        }

        var root = merkle.ComputeRoot();
        if (Hash256.FromBytes(message.MerkleRoot.Span) != root)
        {
            (kind, reason) = (ProtocolErrorKind.HashMismatch, "merkle_root does not match the block ids");
            return false;
        }

        manifest = new Manifest(blocks, sum, root);
        (kind, reason) = (default, string.Empty);
        return true;
    }

    private ManifestMessage ToMessage()
    {
        // One array holds every id; the ByteStrings wrap slices of it instead of copying 32 bytes each.
        var ids = new byte[_blocks.Length * Hash256.Length];
        var message = new ManifestMessage
        {
            Version = CurrentVersion,
            Size = (ulong)Size,
            MerkleRoot = UnsafeByteOperations.UnsafeWrap(MerkleRoot.ToArray()),
        };
        for (var i = 0; i < _blocks.Length; i++)
        {
            var slice = ids.AsMemory(i * Hash256.Length, Hash256.Length);
            _blocks[i].Id.WriteTo(slice.Span);
            message.Blocks.Add(new BlockRefMessage { Id = UnsafeByteOperations.UnsafeWrap(slice), Length = (uint)_blocks[i].Length });
        }

        return message;
    }

    private static void WriteFramed(ManifestMessage message, int length, Span<byte> destination)
    {
        var prefixLength = WriteVarint((uint)length, destination);
        message.WriteTo(destination.Slice(prefixLength, length));
    }

    private static int VarintLength(uint value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(uint value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}

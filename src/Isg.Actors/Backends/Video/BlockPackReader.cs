using Isg.Protocol.Errors;
using Isg.Protocol.Video;
using Microsoft.Win32.SafeHandles;

namespace Isg.Actors.Backends.Video;

/// <summary>
/// Reads objects out of a block pack payload file by seeking: the index is read once (growing a buffer until it
/// decodes), every range is checked against the file's length, and each read fetches one object's bytes. Reads are
/// thread-safe (positional); dispose closes the file.
/// </summary>
public sealed class BlockPackReader : IDisposable
{
    private const int FirstReadBytes = 64 * 1024;

    private readonly SafeFileHandle _handle;

    private BlockPackReader(SafeFileHandle handle, BlockPackIndex index, long length)
    {
        _handle = handle;
        Index = index;
        Length = length;
    }

    /// <summary>The pack's index.</summary>
    public BlockPackIndex Index { get; }

    /// <summary>The payload file's length in bytes.</summary>
    public long Length { get; }

    /// <summary>
    /// Opens the payload at <paramref name="path"/> and reads its index. Throws <see cref="ProtocolException"/> when the
    /// bytes are not a whole, valid pack (a bad index, an index cut short, an object past the end of the file), and the
    /// file system's exceptions when it cannot be opened.
    /// </summary>
    public static BlockPackReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            var length = RandomAccess.GetLength(handle);
            var index = ReadIndex(handle, length);
            return new BlockPackReader(handle, index, length);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The bytes of <paramref name="entry"/>, which must be an entry of <see cref="Index"/> (or one known to lie
    /// within it); <see cref="IOException"/> if the file shrank underneath.
    /// </summary>
    public PooledBuffer Read(BlockPackEntry entry)
    {
        if (entry.Offset < Index.EncodedLength || entry.End > Length || entry.Length < 0)
        {
            throw new ProtocolException(ProtocolError.Of(ProtocolErrorKind.BadField,
                $"object {entry.Name} at {entry.Offset}+{entry.Length} lies outside the {Length}-byte pack"));
        }

        var buffer = PooledBuffer.Rent(entry.Length);
        try
        {
            var span = buffer.Span;
            var read = 0;
            while (read < span.Length)
            {
                var n = RandomAccess.Read(_handle, span[read..], entry.Offset + read);
                if (n == 0)
                {
                    throw new IOException($"pack file ended inside object {entry.Name}");
                }

                read += n;
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private static BlockPackIndex ReadIndex(SafeFileHandle handle, long length)
    {
        var size = (int)Math.Min(length, FirstReadBytes);
        var maxIndex = BlockPack.HeaderLength + ((long)BlockPack.MaxEntries * (BlockPack.EntryFixedLength + BlockPack.MaxNameLength));
        while (true)
        {
            var buffer = new byte[size];
            var filled = 0;
            while (filled < size)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(filled), filled);
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            switch (BlockPack.TryReadIndex(buffer.AsSpan(0, filled), out var index, out var error))
            {
                case DecodeStatus.Done:
                    if (index.End > length)
                    {
                        throw new ProtocolException(ProtocolError.Of(ProtocolErrorKind.Truncated,
                            $"the pack's objects end at byte {index.End} but the file has {length}"));
                    }

                    return index;
                case DecodeStatus.NeedMoreData when filled == size && size < Math.Min(length, maxIndex):
                    // Index sizes vary with the names: double until it decodes (a bounded number of reads).
                    size = (int)Math.Min(Math.Min(length, maxIndex), size * 2L);
                    break;
                default:
                    throw new ProtocolException(error);
            }
        }
    }
}

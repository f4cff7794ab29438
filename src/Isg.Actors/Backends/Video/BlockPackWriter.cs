using System.Buffers;
using Isg.Protocol.Video;

namespace Isg.Actors.Backends.Video;

/// <summary>
/// Writes a block pack payload (<see cref="BlockPack"/>): the index first, then each object's file copied through one
/// pooled buffer, so memory stays bounded whatever the pack's size.
/// </summary>
public static class BlockPackWriter
{
    private const int CopyBufferBytes = 1 << 20;

    /// <summary>
    /// Writes <paramref name="sources"/>, in order, as a pack at <paramref name="payloadPath"/> (replaced if present)
    /// and returns its index. Throws <see cref="IOException"/> when a source file's length is not the one given
    /// (sources must not change while being packed) and <see cref="ArgumentException"/> on bad or duplicate names.
    /// </summary>
    public static async Task<BlockPackIndex> WriteAsync(string payloadPath, IReadOnlyList<PackSource> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payloadPath);
        ArgumentNullException.ThrowIfNull(sources);
        var index = BlockPackIndex.Create(sources.Select(s => (s.Name, s.Length)).ToList());
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(CopyBufferBytes, index.EncodedLength));
        try
        {
            var output = new FileStream(payloadPath, FileMode.Create, FileAccess.Write, FileShare.None, 0);
            await using (output.ConfigureAwait(false))
            {
                index.WriteTo(buffer);
                await output.WriteAsync(buffer.AsMemory(0, index.EncodedLength), cancellationToken).ConfigureAwait(false);
                foreach (var source in sources)
                {
                    await CopyAsync(source, output, buffer, cancellationToken).ConfigureAwait(false);
                }
            }

            return index;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task CopyAsync(PackSource source, FileStream output, byte[] buffer, CancellationToken cancellationToken)
    {
        var input = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0, FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            long copied = 0;
            while (true)
            {
                var n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                copied += n;
                if (copied > source.Length)
                {
                    break;
                }

                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }

            if (copied != source.Length)
            {
                throw new IOException($"{source.Path} changed while being packed: expected {source.Length} bytes, found {(copied > source.Length ? "more" : copied.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
            }
        }
    }
}

using Isg.Protocol.Erasure;

namespace Isg.Node.Bench;

/// <summary>The shards of a benchmark's stripes: one aligned native block (stripe after stripe, as rs-isal.c lays them out) or one array each.</summary>
internal sealed class ShardPool : IDisposable
{
    private readonly int _shardsPerStripe;
    private readonly int _length;
    private readonly AlignedMemory? _block;
    private readonly byte[][] _arrays;

    private ShardPool(int shardsPerStripe, int length, AlignedMemory? block, byte[][] arrays)
    {
        _shardsPerStripe = shardsPerStripe;
        _length = length;
        _block = block;
        _arrays = arrays;
    }

    /// <summary>Allocates <paramref name="stripes"/> × <paramref name="shardsPerStripe"/> zeroed shards of <paramref name="length"/> bytes.</summary>
    public static ShardPool Create(ErasureBenchBuffers buffers, int stripes, int shardsPerStripe, int length)
    {
        if (buffers == ErasureBenchBuffers.Array)
        {
            var arrays = new byte[stripes * shardsPerStripe][];
            for (var i = 0; i < arrays.Length; i++)
            {
                arrays[i] = new byte[length];
            }

            return new ShardPool(shardsPerStripe, length, null, arrays);
        }

        var bytes = (long)stripes * shardsPerStripe * length;
        if (bytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(stripes), bytes, "The stripes do not fit in one block of native memory.");
        }

        return new ShardPool(shardsPerStripe, length, new AlignedMemory((int)bytes), []);
    }

    /// <summary>Shard <paramref name="index"/> of stripe <paramref name="stripe"/>.</summary>
    public Memory<byte> Shard(int stripe, int index)
    {
        var position = (stripe * _shardsPerStripe) + index;
        return _block is null ? _arrays[position] : _block.Memory.Slice(position * _length, _length);
    }

    /// <inheritdoc />
    public void Dispose() => ((IDisposable?)_block)?.Dispose();
}

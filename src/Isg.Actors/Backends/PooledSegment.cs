using System.Buffers;

namespace Isg.Actors.Backends;

/// <summary>
/// An array rented from <see cref="ArrayPool{T}.Shared"/> that several holders share: whoever created it, and every
/// <see cref="PooledBuffer"/> sliced from it. The array goes back to the pool when the last holder lets go, so a
/// reader can hand out parts of what it read without copying them and move on to a fresh segment while they are in use.
/// </summary>
public sealed class PooledSegment
{
    private byte[]? _array;
    private int _holders = 1;

    /// <summary>Rents at least <paramref name="length"/> bytes (contents unspecified); the creator is the first holder.</summary>
    public PooledSegment(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _array = ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>The whole array (at least the length asked for).</summary>
    public Span<byte> Span => Array;

    /// <summary>The array's length.</summary>
    public int Length => Array.Length;

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledSegment));

    /// <summary>A buffer of <paramref name="length"/> bytes at <paramref name="offset"/>, holding the segment until disposed.</summary>
    public PooledBuffer Slice(int offset, int length)
    {
        var array = Array;
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, array.Length - offset);
        Interlocked.Increment(ref _holders);
        return PooledBuffer.Share(this, array, offset, length);
    }

    /// <summary>Lets go of the segment: the creator calls it once, a slice when disposed. The last one returns the array.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _holders);
        if (left == 0)
        {
            ArrayPool<byte>.Shared.Return(Interlocked.Exchange(ref _array, null)!);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("a pooled segment was released more often than it was held");
        }
    }
}

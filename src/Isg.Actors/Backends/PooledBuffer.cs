using System.Buffers;

namespace Isg.Actors.Backends;

/// <summary>
/// A buffer rented from <see cref="ArrayPool{T}.Shared"/> whose <see cref="Memory"/> is exactly
/// <see cref="Length"/> bytes, or a slice of a <see cref="PooledSegment"/> that other buffers may share. Dispose returns
/// the array (or lets go of the segment) once; using the buffer after that throws. Not thread-safe except for Dispose.
/// </summary>
public sealed class PooledBuffer : IMemoryOwner<byte>
{
    private readonly int _offset;
    private readonly int _length;
    private readonly PooledSegment? _segment;
    private byte[]? _array;

    /// <summary>Rents at least <paramref name="length"/> bytes (contents unspecified).</summary>
    public PooledBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _array = length == 0 ? [] : ArrayPool<byte>.Shared.Rent(length);
    }

    private PooledBuffer(PooledSegment segment, byte[] array, int offset, int length)
    {
        _segment = segment;
        _array = array;
        _offset = offset;
        _length = length;
    }

    /// <summary>Rents a buffer of exactly <paramref name="length"/> usable bytes (contents unspecified).</summary>
    public static PooledBuffer Rent(int length) => new(length);

    /// <summary>A new pooled buffer holding a copy of <paramref name="source"/>.</summary>
    public static PooledBuffer CopyOf(ReadOnlySpan<byte> source)
    {
        var buffer = new PooledBuffer(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    // A slice of segment, which has counted this holder already (see PooledSegment.Slice).
    internal static PooledBuffer Share(PooledSegment segment, byte[] array, int offset, int length) => new(segment, array, offset, length);

    /// <summary>The buffer's length in bytes.</summary>
    public int Length => _length;

    /// <summary>The buffer, exactly <see cref="Length"/> bytes. Throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public Memory<byte> Memory => new(Array, _offset, _length);

    /// <summary>The buffer as a span.</summary>
    public Span<byte> Span => new(Array, _offset, _length);

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    /// <summary>Returns the array to the pool (a slice lets go of its segment); later calls do nothing.</summary>
    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is null)
        {
            return;
        }

        if (_segment is { } segment)
        {
            segment.Release();
        }
        else if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}

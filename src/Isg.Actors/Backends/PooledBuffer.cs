using System.Buffers;

namespace Isg.Actors.Backends;

/// <summary>
/// A buffer rented from <see cref="ArrayPool{T}.Shared"/> whose <see cref="Memory"/> is exactly
/// <see cref="Length"/> bytes. Dispose returns the array once; using the buffer after that throws.
/// Not thread-safe except for Dispose.
/// </summary>
public sealed class PooledBuffer : IMemoryOwner<byte>
{
    private readonly int _length;
    private byte[]? _array;

    /// <summary>Rents at least <paramref name="length"/> bytes (contents unspecified).</summary>
    public PooledBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _array = length == 0 ? [] : ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>The buffer's length in bytes.</summary>
    public int Length => _length;

    /// <summary>The buffer, exactly <see cref="Length"/> bytes. Throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public Memory<byte> Memory => new(Array, 0, _length);

    /// <summary>The buffer as a span.</summary>
    public Span<byte> Span => new(Array, 0, _length);

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    /// <summary>Returns the array to the pool; later calls do nothing.</summary>
    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}

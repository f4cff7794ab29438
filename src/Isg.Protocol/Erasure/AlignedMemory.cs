using System.Buffers;
using System.Runtime.InteropServices;

namespace Isg.Protocol.Erasure;

/// <summary>
/// Native memory aligned to a cache line (64 bytes by default), for shard buffers: vector loads and stores that
/// never straddle a cache line make the codec markedly faster than on GC arrays (docs/benchmarks.md). Pinning is
/// free (the memory never moves). Dispose it to free the memory (there is no finalizer: a span may still point at it).
/// Slices of <see cref="MemoryManager{T}.Memory"/> keep the alignment only at multiples of the alignment.
/// </summary>
public sealed unsafe class AlignedMemory : MemoryManager<byte>
{
    private readonly int _length;
    private byte* _pointer;

    /// <summary>Allocates <paramref name="length"/> ≥ 0 zeroed bytes at an address that is a multiple of <paramref name="alignment"/> (a power of two).</summary>
    public AlignedMemory(int length, int alignment = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(alignment, 1);
        if (!int.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The alignment must be a power of two.");
        }

        _length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), (nuint)alignment);
        NativeMemory.Clear(_pointer, (nuint)length);
    }

    /// <summary>The number of bytes.</summary>
    public int Length => _length;

    /// <summary>The whole buffer; throws <see cref="ObjectDisposedException"/> once disposed.</summary>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <summary>The address of byte <paramref name="elementIndex"/>; nothing to release (the memory never moves).</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    /// <summary>Nothing to do: <see cref="Pin"/> takes no handle.</summary>
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        var pointer = _pointer;
        _pointer = null;
        if (pointer != null)
        {
            NativeMemory.AlignedFree(pointer);
        }
    }
}

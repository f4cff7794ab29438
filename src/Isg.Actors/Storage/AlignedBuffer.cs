using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
using Isg.Actors.Backends;

namespace Isg.Actors.Storage;

/// <summary>
/// A buffer whose first byte sits on a <see cref="Alignment"/> boundary and whose capacity is a multiple of it, as
/// direct I/O (O_DIRECT) requires of the memory it reads into and writes from. <see cref="Memory"/> is exactly
/// <see cref="Length"/> bytes; <see cref="Padded"/> covers the length rounded up to the alignment. Backed by pinned
/// arrays kept in a pool per power-of-two size, so the pages stay touched: fresh pages cost a page fault each (and, in a
/// virtual machine, the host's work to back them), which is what direct I/O is there to avoid. The pool keeps up to
/// <see cref="KeptBytes"/> of free arrays in all, enough for the blocks a syncing node has in flight at once (a count
/// per size kept eight, and a node receiving 1 MiB blocks faulted in a fresh array for most of them).
/// Dispose returns the array once.
/// </summary>
public sealed class AlignedBuffer : IMemoryOwner<byte>
{
    /// <summary>The alignment of the start and of the padded length (the page size, which covers any logical block size of a disk).</summary>
    public const int Alignment = 4096;

    private const int SmallestClass = 16;          // 64 KiB
    private const int LargestPooledClass = 26;     // 64 MiB

    /// <summary>Bytes of free arrays the pool keeps at most, all sizes together.</summary>
    public const long KeptBytes = 32L << 20;

    private static readonly ConcurrentBag<byte[]>[] s_pool = CreatePool();
    private static long s_keptBytes;

    private readonly int _length;
    private readonly int _offset;
    private byte[]? _array;

    private AlignedBuffer(byte[] array, int length)
    {
        _array = array;
        _length = length;
        _offset = OffsetOf(array);
    }

    /// <summary>Bytes of free arrays in the pool now (at most <see cref="KeptBytes"/>).</summary>
    internal static long PooledBytes => Interlocked.Read(ref s_keptBytes);

    /// <summary>The content's length in bytes.</summary>
    public int Length => _length;

    /// <summary>The content, exactly <see cref="Length"/> bytes, starting on an aligned address.</summary>
    public Memory<byte> Memory => new(Array, _offset, _length);

    /// <summary>The content rounded up to a multiple of <see cref="Alignment"/>: what a direct read or write transfers.</summary>
    public Span<byte> Padded => new(Array, _offset, PaddedLength(_length));

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(AlignedBuffer));

    /// <summary><paramref name="length"/> rounded up to a multiple of <see cref="Alignment"/>.</summary>
    public static int PaddedLength(int length) => (length + Alignment - 1) & ~(Alignment - 1);

    /// <summary>Rents a buffer of <paramref name="length"/> usable bytes (contents unspecified, padding included).</summary>
    public static AlignedBuffer Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var needed = PaddedLength(Math.Max(length, 1)) + Alignment;
        var sizeClass = Math.Max(SmallestClass, 32 - BitOperations.LeadingZeroCount((uint)needed - 1));
        if (sizeClass <= LargestPooledClass && s_pool[sizeClass].TryTake(out var pooled))
        {
            Interlocked.Add(ref s_keptBytes, -pooled.Length);
            return new AlignedBuffer(pooled, length);
        }

        var size = sizeClass <= LargestPooledClass ? 1 << sizeClass : needed;
        return new AlignedBuffer(GC.AllocateUninitializedArray<byte>(size, pinned: true), length);
    }

    /// <summary>
    /// A buffer for data a store may write with direct I/O: aligned from <see cref="DirectFileIo.MinimumLength"/> on,
    /// so it is written where it lies; a plain pooled one below, since such data is written buffered anyway and a
    /// pinned aligned array per small block (64 KiB at least) would cost more than the copy it saves.
    /// </summary>
    public static IMemoryOwner<byte> RentForStore(int length) =>
        length >= DirectFileIo.MinimumLength ? Rent(length) : PooledBuffer.Rent(length);

    /// <summary>Returns the array to the pool; later calls do nothing.</summary>
    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is null || !BitOperations.IsPow2(array.Length))
        {
            return;
        }

        var sizeClass = BitOperations.Log2((uint)array.Length);
        if (sizeClass is < SmallestClass or > LargestPooledClass)
        {
            return;
        }

        if (Interlocked.Add(ref s_keptBytes, array.Length) <= KeptBytes)
        {
            s_pool[sizeClass].Add(array);
        }
        else
        {
            Interlocked.Add(ref s_keptBytes, -array.Length); // over the budget: left to the collector
        }
    }

    private static int OffsetOf(byte[] array)
    {
        // Pinned arrays never move, so the address taken once stays valid for the buffer's life.
        var misalignment = (int)(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) & (Alignment - 1));
        return misalignment == 0 ? 0 : Alignment - misalignment;
    }

    private static ConcurrentBag<byte[]>[] CreatePool()
    {
        var pool = new ConcurrentBag<byte[]>[LargestPooledClass + 1];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = [];
        }

        return pool;
    }
}

using System.Buffers;

namespace Isg.Actors.Swarm;

/// <summary>
/// A stored block's bytes, shared by the answers that send its parts. The server (or <see cref="RecentBlocks"/>) holds
/// one reference while it keeps the block, and every answer a lease until its part is written, so the buffer goes back
/// to its pool only when all are done: the parts go out from where the block lies, never copied. Thread-safe.
/// </summary>
internal sealed class SharedBlockBytes(IMemoryOwner<byte> owner, int length)
{
    private int _references = 1;

    /// <summary>The block's bytes: the first <c>length</c> bytes of the owner's memory.</summary>
    public ReadOnlyMemory<byte> Memory => owner.Memory[..length];

    /// <summary>One more reference, dropped with <see cref="Release"/>. Only while holding a reference already.</summary>
    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>A lease that keeps the bytes alive until disposed. Only while holding a reference (the caller's or another lease).</summary>
    public IDisposable Lease()
    {
        AddReference();
        return new LeaseHandle(this);
    }

    /// <summary>Drops a reference; the last one frees the bytes.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            owner.Dispose();
        }
    }

    private sealed class LeaseHandle(SharedBlockBytes bytes) : IDisposable
    {
        private SharedBlockBytes? _bytes = bytes;

        public void Dispose() => Interlocked.Exchange(ref _bytes, null)?.Release();
    }
}

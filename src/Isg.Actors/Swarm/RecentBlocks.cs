using System.Buffers;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Swarm;

/// <summary>
/// The sealed blocks this node stored last, kept in memory up to a budget of sealed bytes, the oldest dropped first.
/// An add announces each block it stores within milliseconds and full replicas ask for it at once, so the block
/// server finds most of them here instead of reading them back from disk: with direct I/O that read went to the disk
/// every time, a third of a syncing node's disk traffic (it wrote each block and read it back; the peer wrote it).
/// Thread-safe; disposing frees the kept blocks (answers still being written keep theirs until they are done).
/// </summary>
public sealed class RecentBlocks : IDisposable
{
    private readonly long _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<BlockId, SharedBlockBytes> _blocks = [];
    private readonly Queue<BlockId> _order = new();
    private long _bytes;
    private bool _disposed;

    /// <summary>Keeps at most <paramref name="capacityBytes"/> of sealed bytes (at least one block, however large).</summary>
    public RecentBlocks(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        _capacity = capacityBytes;
    }

    /// <summary>Blocks kept now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _blocks.Count;
            }
        }
    }

    /// <summary>
    /// Keeps the first <paramref name="length"/> bytes of <paramref name="owner"/>, the sealed block <paramref name="id"/>
    /// exactly as stored, taking ownership of it (freed at once if the block is already kept or this is disposed).
    /// </summary>
    public void Keep(BlockId id, IMemoryOwner<byte> owner, int length)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, owner.Memory.Length);
        List<SharedBlockBytes>? dropped = null;
        lock (_gate)
        {
            if (_disposed || _blocks.ContainsKey(id))
            {
                owner.Dispose();
                return;
            }

            _blocks.Add(id, new SharedBlockBytes(owner, length));
            _order.Enqueue(id);
            _bytes += length;
            while (_bytes > _capacity && _order.Count > 1)
            {
                var oldest = _blocks[_order.Peek()];
                _blocks.Remove(_order.Dequeue());
                _bytes -= oldest.Memory.Length;
                (dropped ??= []).Add(oldest);
            }
        }

        // Outside the lock: the last release returns a buffer to its pool.
        dropped?.ForEach(bytes => bytes.Release());
    }

    /// <summary>Block <paramref name="id"/>'s sealed bytes with a reference for the caller, who must release it; null when not kept.</summary>
    internal SharedBlockBytes? TryTake(BlockId id)
    {
        lock (_gate)
        {
            if (!_blocks.TryGetValue(id, out var bytes))
            {
                return null;
            }

            bytes.AddReference();
            return bytes;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        List<SharedBlockBytes> kept;
        lock (_gate)
        {
            _disposed = true;
            kept = [.. _blocks.Values];
            _blocks.Clear();
            _order.Clear();
            _bytes = 0;
        }

        kept.ForEach(bytes => bytes.Release());
    }
}

namespace Isg.Protocol.Peers;

/// <summary>
/// The bytes of a block part that travel after their frame (<c>BlockResponse.trailing_length</c>) rather than inside
/// it, with whatever keeps them alive: a sender's lease on a stored block, a receiver's pooled buffer. Whoever holds
/// the frame last disposes it; Dispose releases the owner once.
/// </summary>
public sealed class TrailingBytes(ReadOnlyMemory<byte> memory, IDisposable? owner) : IDisposable
{
    private IDisposable? _owner = owner;

    /// <summary>The part's bytes; not to be used after Dispose.</summary>
    public ReadOnlyMemory<byte> Memory { get; } = memory;

    /// <summary>The part's length in bytes.</summary>
    public int Length => Memory.Length;

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}

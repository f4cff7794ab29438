using System.Buffers;
using Isg.Actors.Storage;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// A received block part whose bytes follow its frame (<see cref="BlockResponse.TrailingLength"/>), being filled as
/// they arrive. A large part goes straight into an aligned buffer, which a direct-I/O store writes from where it lies
/// (<see cref="AlignedBuffer.RentForStore"/>). Once complete, the frame takes the buffer
/// (<see cref="BlockResponse.Trailer"/>); until then Dispose frees it.
/// </summary>
internal sealed class IncomingTrailer : IDisposable
{
    private readonly PeerFrame _frame;
    private IMemoryOwner<byte>? _buffer;
    private int _filled;

    public IncomingTrailer(PeerFrame frame)
    {
        _frame = frame;
        _buffer = AlignedBuffer.RentForStore((int)frame.BlockResponse.TrailingLength);
    }

    /// <summary>Whether every byte has arrived.</summary>
    public bool IsComplete => _buffer is { } buffer && _filled == buffer.Memory.Length;

    /// <summary>Copies from the start of <paramref name="input"/> what the part still lacks; returns the bytes taken.</summary>
    public int Fill(ReadOnlySequence<byte> input)
    {
        var remaining = Remaining;
        var take = (int)Math.Min(input.Length, remaining.Length);
        input.Slice(0, take).CopyTo(remaining.Span);
        _filled += take;
        return take;
    }

    /// <summary>What the part still lacks, to be read into directly (then <see cref="Advance"/>).</summary>
    public Memory<byte> Remaining => (_buffer ?? throw new ObjectDisposedException(nameof(IncomingTrailer))).Memory[_filled..];

    /// <summary>Counts <paramref name="count"/> bytes read into <see cref="Remaining"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Remaining.Length);
        _filled += count;
    }

    /// <summary>The frame, now owning the complete part as its <see cref="BlockResponse.Trailer"/>; nothing is left to dispose here.</summary>
    public PeerFrame Complete()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null) ?? throw new ObjectDisposedException(nameof(IncomingTrailer));
        _frame.BlockResponse.Trailer = new TrailingBytes(buffer.Memory, buffer);
        return _frame;
    }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _buffer, null)?.Dispose();
}

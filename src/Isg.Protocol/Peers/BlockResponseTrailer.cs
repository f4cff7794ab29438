namespace Isg.Protocol.Peers.Wire;

/// <summary>The part's bytes where they travel outside the message (never serialized, cloned or compared).</summary>
public sealed partial class BlockResponse
{
    /// <summary>
    /// The part's bytes when they travel after the frame: set by a sender instead of <see cref="Sealed"/> (the
    /// connection chooses the form the peer reads), and by the connection on a received part with
    /// <see cref="TrailingLength"/>. Whoever takes the frame last disposes it.
    /// </summary>
    public TrailingBytes? Trailer { get; set; }

    /// <summary>The part's bytes, wherever they travel.</summary>
    public ReadOnlyMemory<byte> PartBytes => Trailer?.Memory ?? Sealed.Memory;
}

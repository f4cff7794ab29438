using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// A handshake that did not end in a connection: refused by this node (<see cref="PeerCloseOrigin.Local"/>, after it
/// sent Close with <see cref="Reason"/>), refused by the peer (Remote), or broken (Transport: TLS failure, timeout,
/// end of stream).
/// </summary>
public sealed class PeerHandshakeException : Exception
{
    /// <summary>Creates the failure.</summary>
    public PeerHandshakeException(PeerCloseOrigin origin, CloseReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Origin = origin;
        Reason = reason;
    }

    /// <summary>Who refused or broke it.</summary>
    public PeerCloseOrigin Origin { get; }

    /// <summary>The Close reason sent or received (UNSPECIFIED when the connection broke).</summary>
    public CloseReason Reason { get; }

    /// <summary>The device at the other end, when the TLS handshake got as far as its certificate (e.g. this node itself); else null.</summary>
    public DeviceId? Remote { get; internal set; }
}

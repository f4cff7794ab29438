using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// What a node does with the frames a peer sends it (the sync and swarm actors implement it, usually by telling
/// themselves a message). Frames reach it only after the handshake, from a trusted device of the same repository.
/// </summary>
public interface IPeerInboundHandler
{
    /// <summary>
    /// Answers one request of the peer. Runs concurrently with the connection's other requests (up to
    /// PeerTransportOptions.MaxConcurrentRequests; more are answered BUSY without calling this), and answers may
    /// complete in any order. Return the answer's body in a new frame (request id and response flag are set by the
    /// connection); return an ErrorReply body for expected failures. A throw is logged and answered ERROR_CODE_INTERNAL.
    /// The token is cancelled when the connection closes.
    /// </summary>
    ValueTask<PeerFrame> HandleRequestAsync(IPeerSession session, PeerFrame request, CancellationToken cancellationToken);

    /// <summary>
    /// Takes one one-way message, in the order the peer sent them, on the connection's read loop: keep it short (tell
    /// an actor). While it runs the connection reads nothing more (back-pressure). A throw is logged and the message
    /// dropped; the connection stays up.
    /// </summary>
    ValueTask HandleMessageAsync(IPeerSession session, PeerFrame message, CancellationToken cancellationToken);
}

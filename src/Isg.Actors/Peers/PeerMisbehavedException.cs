using Isg.Protocol.Errors;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>
/// A peer sent something the protocol forbids (a malformed operation, an answer of the wrong kind, a block that does
/// not match its id). The connection should be closed with a reason, and the peer penalised.
/// </summary>
public sealed class PeerMisbehavedException(DeviceId peer, ProtocolError error)
    : Exception($"peer {peer.ShortId} sent bad data: {error.Message}")
{
    /// <summary>The peer at fault.</summary>
    public DeviceId Peer { get; } = peer;

    /// <summary>What was wrong.</summary>
    public ProtocolError Error { get; } = error;
}

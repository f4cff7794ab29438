using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers;

/// <summary>A peer answered a request with an <see cref="ErrorReply"/> (busy, not found, …); the connection stays up.</summary>
public sealed class PeerRequestFailedException(DeviceId peer, ErrorCode code, string message)
    : Exception($"peer {peer.ShortId} refused the request: {code}: {message}")
{
    /// <summary>The peer that refused.</summary>
    public DeviceId Peer { get; } = peer;

    /// <summary>Its reason.</summary>
    public ErrorCode Code { get; } = code;
}

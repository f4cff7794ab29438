using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>A peer's connection closed (or never opened) before a request was answered.</summary>
public sealed class PeerUnavailableException(DeviceId peer, string message, Exception? innerException = null)
    : Exception($"peer {peer.ShortId}: {message}", innerException)
{
    /// <summary>The peer that could not be reached.</summary>
    public DeviceId Peer { get; } = peer;
}

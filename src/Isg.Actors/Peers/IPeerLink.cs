using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers;

/// <summary>
/// What the sync and swarm logic needs of a connected, authenticated peer: ask it something and await the answer
/// (many requests may be in flight at once), or tell it something one way. The transport owns request ids, framing
/// and the connection's life.
/// </summary>
public interface IPeerLink
{
    /// <summary>The peer's device id (pinned by its certificate).</summary>
    DeviceId Remote { get; }

    /// <summary>
    /// Sends <paramref name="request"/> (its body; the transport sets the request id) and returns the answer's frame,
    /// which may be an <see cref="ErrorReply"/>. Throws <see cref="PeerUnavailableException"/> when the connection
    /// closes first, and <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<PeerFrame> RequestAsync(PeerFrame request, CancellationToken cancellationToken);

    /// <summary>Sends a one-way message. Throws <see cref="PeerUnavailableException"/> when the connection is closed.</summary>
    ValueTask SendAsync(PeerFrame message, CancellationToken cancellationToken);
}

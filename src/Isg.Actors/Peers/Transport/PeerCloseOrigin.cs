namespace Isg.Actors.Peers.Transport;

/// <summary>Which side ended a peer connection.</summary>
public enum PeerCloseOrigin
{
    /// <summary>This node closed it (and sent Close with the reason).</summary>
    Local,

    /// <summary>The peer closed it with a Close frame.</summary>
    Remote,

    /// <summary>The connection broke without a Close frame (reset, end of stream, TLS failure).</summary>
    Transport,
}

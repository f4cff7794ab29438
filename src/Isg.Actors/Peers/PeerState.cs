namespace Isg.Actors.Peers;

/// <summary>Whether the node is connected to a peer.</summary>
public enum PeerState
{
    /// <summary>Not connected (and not dialling it now).</summary>
    Disconnected,

    /// <summary>A dial is in progress.</summary>
    Connecting,

    /// <summary>Connected: a session is up.</summary>
    Connected,
}

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// How a peer connection ended, as the inner exception of the <see cref="PeerUnavailableException"/> that requests and
/// sends on a closed or closing connection throw.
/// </summary>
public sealed class PeerConnectionClosedException : Exception
{
    /// <summary>Creates the exception for a connection that ended as <paramref name="close"/>.</summary>
    public PeerConnectionClosedException(PeerCloseInfo close)
        : base($"the peer connection is closed ({close})") => Close = close;

    /// <summary>How the connection ended.</summary>
    public PeerCloseInfo Close { get; }
}

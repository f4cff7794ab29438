namespace Isg.Actors.Peers.Transport;

/// <summary>A request or send on a peer connection that is closed or closing; <see cref="Close"/> says why.</summary>
public sealed class PeerConnectionClosedException : Exception
{
    /// <summary>Creates the exception for a connection that ended as <paramref name="close"/>.</summary>
    public PeerConnectionClosedException(PeerCloseInfo close)
        : base($"the peer connection is closed ({close})") => Close = close;

    /// <summary>How the connection ended.</summary>
    public PeerCloseInfo Close { get; }
}

namespace Isg.Protocol.Peers;

/// <summary>Which end of a peer connection a side is: the one that dialled or the one that accepted.</summary>
public enum PeerRole
{
    /// <summary>Opened the TCP connection; numbers its requests 1, 3, 5, ...</summary>
    Dialler = 1,

    /// <summary>Accepted the TCP connection; numbers its requests 2, 4, 6, ...</summary>
    Acceptor = 2,
}

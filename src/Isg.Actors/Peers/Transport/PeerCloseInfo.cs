using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>How a peer connection ended: who ended it, the reason (UNSPECIFIED when it broke) and a short detail.</summary>
public sealed record PeerCloseInfo(PeerCloseOrigin Origin, CloseReason Reason, string Detail)
{
    /// <inheritdoc />
    public override string ToString() => $"{Origin} close, {Reason}: {Detail}";
}

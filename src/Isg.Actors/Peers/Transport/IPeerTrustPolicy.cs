using Isg.Protocol.Peers;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// Which devices a node talks to, asked during each handshake (from any thread): paired devices are accepted on
/// their pinned device id alone; any other device is accepted only when both sides hold the cluster key and it proves
/// it in its Hello.
/// </summary>
public interface IPeerTrustPolicy
{
    /// <summary>True when <paramref name="device"/> was paired with this node (`isg peer add`).</summary>
    bool IsPaired(DeviceId device);

    /// <summary>The 32-byte cluster key (see Isg.Protocol.Peers.ClusterProof); empty when no cluster secret is set.</summary>
    ReadOnlyMemory<byte> ClusterKey { get; }
}

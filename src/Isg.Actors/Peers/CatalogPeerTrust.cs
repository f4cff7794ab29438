using Isg.Actors.Catalog;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>
/// Trust read from the catalogue: a device is paired while the peers table holds it with Paired trust (looked up at
/// each handshake, so `isg peer add` in another process takes effect at once); the cluster key is set by the peers
/// actor from the sealed cluster secret. Devices recorded with Cluster trust must prove the secret each time.
/// Thread-safe.
/// </summary>
public sealed class CatalogPeerTrust(CatalogDatabase catalog) : IPeerTrustPolicy
{
    private readonly Lock _lock = new();
    private ReadOnlyMemory<byte> _clusterKey;

    /// <inheritdoc />
    public ReadOnlyMemory<byte> ClusterKey
    {
        get
        {
            lock (_lock)
            {
                return _clusterKey;
            }
        }

        set
        {
            lock (_lock)
            {
                _clusterKey = value;
            }
        }
    }

    /// <inheritdoc />
    public bool IsPaired(DeviceId device)
    {
        using var reader = catalog.CreateReader();
        return reader.GetPeer(device) is { Trust: PeerTrust.Paired };
    }
}

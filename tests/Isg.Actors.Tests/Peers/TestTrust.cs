using System.Collections.Concurrent;
using Isg.Actors.Peers.Transport;
using Isg.Protocol.Peers;

namespace Isg.Actors.Tests.Peers;

/// <summary>An in-memory trust policy: a set of paired devices and an optional cluster key.</summary>
public sealed class TestTrust : IPeerTrustPolicy
{
    private readonly ConcurrentDictionary<DeviceId, bool> _paired = new();

    public ReadOnlyMemory<byte> ClusterKey { get; set; }

    public void Pair(DeviceId device) => _paired[device] = true;

    public bool IsPaired(DeviceId device) => _paired.ContainsKey(device);

    /// <summary>Sets the cluster key derived from <paramref name="secret"/> for <paramref name="repositoryId"/>.</summary>
    public void UseClusterSecret(string secret, byte[] repositoryId)
    {
        var key = new byte[ClusterProof.Length];
        ClusterProof.DeriveKey(secret, repositoryId, key);
        ClusterKey = key;
    }
}

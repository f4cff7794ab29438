using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Manifests;
using Isg.Protocol.Peers;

namespace Isg.Protocol.Tests.Crdt;

/// <summary>Devices, versions and clocks for the CRDT tests.</summary>
internal static class CrdtSamples
{
    public static DeviceId Device(int n) => DeviceId.FromHash(Hash256.Compute([(byte)n, 0x5a]));

    public static PathVersion Version(int content)
    {
        var block = new BlockRef(BlockId.Compute(BitConverter.GetBytes(content)), 100 + content);
        var manifest = Manifest.Create([block]);
        return new PathVersion(0, manifest.Size, 0x1a4, 1_700_000_000_000_000_000L + content, null, manifest.MerkleRoot, manifest.ToBytes());
    }

    public static HlcTimestamp Clock(long wallMs, DeviceId device) => new(wallMs, 0, device.TieBreak);
}

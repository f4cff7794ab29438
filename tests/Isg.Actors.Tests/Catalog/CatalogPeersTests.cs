using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Isg.TestKit;

namespace Isg.Actors.Tests.Catalog;

/// <summary>The peers table through CatalogWriter.Peers and CatalogReader.Peers.</summary>
public sealed class CatalogPeersTests : IDisposable
{
    private static readonly DeviceId s_one = DeviceId.FromHash(Hash256.Compute("one"u8));
    private static readonly DeviceId s_two = DeviceId.FromHash(Hash256.Compute("two"u8));

    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
    private readonly CatalogDatabase _catalog;

    public CatalogPeersTests() => _catalog = CatalogDatabase.Open(_dir.Path, new CatalogDatabaseOptions { TimeProvider = _time });

    public void Dispose()
    {
        _catalog.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void UpsertPeer_NewThenUpdated_KeepsWhatIsNotGivenAndAddedAt()
    {
        using var writer = _catalog.CreateWriter();

        Assert.True(writer.UpsertPeer(s_one, "nas", ["10.0.0.2:7420"], PeerTrust.Paired));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(writer.UpsertPeer(s_one, null, null, PeerTrust.Paired));
        var kept = Read(s_one)!;
        Assert.Equal("nas", kept.Name);
        Assert.Equal(["10.0.0.2:7420"], kept.Addresses);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000), kept.AddedAt);
        Assert.Equal((PeerTrust.Paired, (DateTimeOffset?)null, 0L, 0L, (DateTimeOffset?)null), (kept.Trust, kept.LastSeen, kept.BytesIn, kept.BytesOut, kept.ConnectedSince));

        Assert.False(writer.UpsertPeer(s_one, "attic", [], PeerTrust.Paired));
        var updated = Read(s_one)!;
        Assert.Equal("attic", updated.Name);
        Assert.Empty(updated.Addresses);
    }

    [Fact]
    public void ClusterAndPairedTrust_PairingWinsAndNamesAreNotOverwritten()
    {
        using var writer = _catalog.CreateWriter();

        Assert.True(writer.RecordClusterPeer(s_one, "lab-1"));
        Assert.Equal((PeerTrust.Cluster, "lab-1"), (Read(s_one)!.Trust, Read(s_one)!.Name));
        Assert.False(writer.RecordClusterPeer(s_one, "renamed"));
        Assert.Equal("lab-1", Read(s_one)!.Name);

        Assert.False(writer.UpsertPeer(s_one, null, null, PeerTrust.Paired));
        Assert.Equal(PeerTrust.Paired, Read(s_one)!.Trust);
        Assert.False(writer.RecordClusterPeer(s_one, "lab"));
        Assert.False(writer.UpsertPeer(s_one, null, null, PeerTrust.Cluster));
        Assert.Equal(PeerTrust.Paired, Read(s_one)!.Trust);

        writer.UpsertPeer(s_two, string.Empty, null, PeerTrust.Paired);
        writer.RecordClusterPeer(s_two, "named by hello");
        Assert.Equal("named by hello", Read(s_two)!.Name);
    }

    [Fact]
    public void RecordPeerSessions_AddsTrafficKeepsTheLatestSeenAndClears()
    {
        using var writer = _catalog.CreateWriter();
        writer.UpsertPeer(s_one, "one", null, PeerTrust.Paired);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_100_000);

        writer.RecordPeerSessions([new PeerSessionRecord(s_one, at, 100, 50, at), new PeerSessionRecord(s_two, at, 1, 1, at)]);
        writer.RecordPeerSessions([new PeerSessionRecord(s_one, at.AddSeconds(-10), 20, 5, at)]);

        var record = Read(s_one)!;
        Assert.Equal((at, 120L, 55L, at), (record.LastSeen!.Value, record.BytesIn, record.BytesOut, record.ConnectedSince!.Value));
        Assert.Null(Read(s_two));

        writer.ClearPeerConnections();
        Assert.Null(Read(s_one)!.ConnectedSince);
        Assert.Equal(120L, Read(s_one)!.BytesIn);
    }

    [Fact]
    public void RemovePeerAndList_OldestFirst()
    {
        using var writer = _catalog.CreateWriter();
        writer.UpsertPeer(s_two, "second", null, PeerTrust.Paired);
        _time.Advance(TimeSpan.FromSeconds(1));
        writer.RecordClusterPeer(s_one, "first? no, later");

        using (var reader = _catalog.CreateReader())
        {
            Assert.Equal([s_two, s_one], reader.ListPeers().Select(p => p.Device));
        }

        Assert.True(writer.RemovePeer(s_two));
        Assert.False(writer.RemovePeer(s_two));
        using var after = _catalog.CreateReader();
        Assert.Equal([s_one], after.ListPeers().Select(p => p.Device));
    }

    [Fact]
    public void ClusterSecretBox_SetReplacedAndRemoved()
    {
        using var writer = _catalog.CreateWriter();
        using (var reader = _catalog.CreateReader())
        {
            Assert.Null(reader.GetClusterSecretBox());
        }

        writer.SetClusterSecretBox([1, 2, 3]);
        writer.SetClusterSecretBox([4, 5]);
        using (var reader = _catalog.CreateReader())
        {
            Assert.Equal([4, 5], reader.GetClusterSecretBox());
        }

        writer.SetClusterSecretBox(null);
        writer.SetClusterSecretBox(null);
        using var cleared = _catalog.CreateReader();
        Assert.Null(cleared.GetClusterSecretBox());
    }

    private PeerRecord? Read(DeviceId device)
    {
        using var reader = _catalog.CreateReader();
        return reader.GetPeer(device);
    }
}

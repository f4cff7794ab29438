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
    public void RememberPeerAddress_MoreThanTheCap_NewestFirstOldestDropped()
    {
        using var writer = _catalog.CreateWriter();
        writer.RecordClusterPeer(s_one, "lab-1");

        for (var i = 1; i <= CatalogWriter.MaxLearnedAddresses + 1; i++)
        {
            Assert.True(writer.RememberPeerAddress(s_one, $"10.0.0.{i}:7420"));
        }

        Assert.Equal(["10.0.0.5:7420", "10.0.0.4:7420", "10.0.0.3:7420", "10.0.0.2:7420"], Read(s_one)!.LearnedAddresses);
        Assert.Empty(Read(s_one)!.Addresses);
    }

    [Fact]
    public void RememberPeerAddress_KnownAddress_MovesToTheFrontOnce()
    {
        using var writer = _catalog.CreateWriter();
        writer.UpsertPeer(s_one, "one", null, PeerTrust.Paired);
        writer.RememberPeerAddress(s_one, "10.0.0.1:7420");
        writer.RememberPeerAddress(s_one, "[fd00::2]:7420");
        writer.RememberPeerAddress(s_one, "nas.local:7420");

        Assert.True(writer.RememberPeerAddress(s_one, "10.0.0.1:7420"));
        Assert.False(writer.RememberPeerAddress(s_one, "10.0.0.1:7420"));

        Assert.Equal(["10.0.0.1:7420", "nas.local:7420", "[fd00::2]:7420"], Read(s_one)!.LearnedAddresses);
    }

    [Fact]
    public void RememberPeerAddress_GivenAddress_NotAdded()
    {
        using var writer = _catalog.CreateWriter();
        writer.UpsertPeer(s_one, "one", ["10.0.0.2:7420"], PeerTrust.Paired);

        Assert.False(writer.RememberPeerAddress(s_one, "10.0.0.2:7420"));

        Assert.Empty(Read(s_one)!.LearnedAddresses);
        Assert.Equal(["10.0.0.2:7420"], Read(s_one)!.Addresses);
    }

    [Fact]
    public void RememberPeerAddress_DeviceNotInTheTable_ReturnsFalseAndAddsNoRow()
    {
        using var writer = _catalog.CreateWriter();
        writer.UpsertPeer(s_two, "two", null, PeerTrust.Paired);
        writer.RememberPeerAddress(s_two, "10.0.0.2:7420");

        Assert.False(writer.RememberPeerAddress(s_one, "10.0.0.1:7420"));
        Assert.Null(Read(s_one));

        // A removed peer's learned addresses go with its row, and are not written back for it.
        Assert.True(writer.RemovePeer(s_two));
        Assert.False(writer.RememberPeerAddress(s_two, "10.0.0.3:7420"));
        Assert.Null(Read(s_two));
    }

    [Fact]
    public void Open_Version8PeersRow_MigratesWithNoLearnedAddresses()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine(CatalogDatabase.FileName);
        using (var old = CatalogDatabase.OpenFile(path, new CatalogDatabaseOptions(), [.. CatalogMigrations.All.Where(m => m.Version <= 8)]))
        {
            using var writer = old.CreateWriter();
            writer.UpsertPeer(s_one, "nas", ["10.0.0.2:7420"], PeerTrust.Paired);
        }

        using var migrated = CatalogDatabase.Open(dir.Path);
        using var reader = migrated.CreateReader();
        var record = reader.GetPeer(s_one)!;

        Assert.Equal(CatalogMigrations.LatestVersion, migrated.SchemaVersion);
        Assert.Equal("nas", record.Name);
        Assert.Equal(["10.0.0.2:7420"], record.Addresses);
        Assert.Empty(record.LearnedAddresses);
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

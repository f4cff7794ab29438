using Isg.Actors.Catalog;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogStorageUseTests : IDisposable
{
    private readonly CatalogFixture _catalog = new();

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void GetStorageUse_SnapshotKeepsARemovedFile_CountsItsBlocksAsSnapshotOnlyThenReclaimable()
    {
        _catalog.Writer.Commit([File("a.txt", Block(1), Block(2)), File("b.txt", Block(3))], [Block(1), Block(2), Block(3)]);
        var snapshot = _catalog.Writer.CreateSnapshot("s1");
        _catalog.Writer.RemoveFiles("a.txt", recursive: false);

        using var reader = _catalog.Database.CreateReader();
        var kept = reader.GetStorageUse();
        var stats = reader.GetStats();

        Assert.Equal(2, kept.SnapshotOnlyBlocks);
        Assert.Equal(1200, kept.SnapshotOnlyBytes);
        Assert.Equal(0, kept.ReclaimableBlocks);
        Assert.Equal(3, kept.UnprotectedBlocks);
        Assert.Equal(1, stats.UniqueBlocks);
        Assert.Equal(1000, stats.UniquePlainBytes);

        _catalog.Writer.DeleteSnapshots([snapshot.Id]);
        var released = reader.GetStorageUse();

        Assert.Equal(0, released.SnapshotOnlyBlocks);
        Assert.Equal(2, released.ReclaimableBlocks);
        Assert.Equal(1200, released.ReclaimableBytes);
        Assert.Equal(1, released.UnprotectedBlocks);
    }

    [Fact]
    public void GetStorageUse_CommittedStripe_CountsItsParity()
    {
        var parity = new ParityShard(Id(100), 2, "local", Id(100).ToHex());
        _catalog.Writer.Commit([File("a.txt", Block(1), Block(2))], [Block(1), Block(2)],
            [new SealedStripe(2, 1, 600, [Id(1), Id(2)], [parity])]);

        using var reader = _catalog.Database.CreateReader();
        var use = reader.GetStorageUse();

        Assert.Equal(new StorageUse(Stripes: 1, ParityShards: 1, ParityBytes: 600, UnprotectedBlocks: 0,
            SnapshotOnlyBlocks: 0, SnapshotOnlyBytes: 0, ReclaimableBlocks: 0, ReclaimableBytes: 0), use);
    }
}

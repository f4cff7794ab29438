using Isg.Actors.Catalog;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogStatsTests
{
    [Fact]
    public void Ratios_DivideLogicalByUniqueAndUniqueByStored()
    {
        var stats = new CatalogStats(Files: 4, Directories: 1, LogicalBytes: 900, UniqueBlocks: 3, UniquePlainBytes: 300, StoredBytes: 120);

        Assert.Equal(3.0, stats.DedupRatio, 12);
        Assert.Equal(2.5, stats.CompressionRatio, 12);
    }

    [Fact]
    public void Ratios_NothingStored_AreOne()
    {
        var stats = new CatalogStats(Files: 1, Directories: 0, LogicalBytes: 0, UniqueBlocks: 0, UniquePlainBytes: 0, StoredBytes: 0);

        Assert.Equal(1.0, stats.DedupRatio);
        Assert.Equal(1.0, stats.CompressionRatio);
    }
}

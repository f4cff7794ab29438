using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Microsoft.Data.Sqlite;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

/// <summary>
/// The wanted list (blocks entries reference that no backend here stores) read through schema v10's blocks_wanted
/// partial index and the chunk_count column its triggers keep.
/// </summary>
public sealed class CatalogWantedBlocksTests : IDisposable
{
    private readonly TempDirectory _a = new();
    private readonly TempDirectory _b = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private static DeviceId Device(int n) => DeviceId.FromHash(Hash256.Compute([(byte)n, 0x57]));

    private static void Commit(CatalogDatabase database, string path, int content)
    {
        var (file, block) = RealFile(path, content, 1_700_000_000_000_000_000 + content);
        using var writer = database.CreateWriter();
        writer.Commit([file], [block]);
    }

    // Every operation of `from` that `to` lacks, applied on `to`.
    private static void Pull(CatalogDatabase from, CatalogDatabase to)
    {
        using var fromReader = from.CreateReader();
        using var toReader = to.CreateReader();
        using var writer = to.CreateWriter();
        var page = fromReader.ReadOperationsAfter(toReader.ReadVersionVector(), 10_000);
        Assert.False(page.More);
        writer.ApplyOperations(page.Operations);
    }

    private static long ChunkCount(CatalogDatabase database, BlockId id) =>
        Scalar(database, "SELECT chunk_count FROM blocks WHERE id = $p0", id.ToArray());

    [Fact]
    public void Open_Version9CatalogWithHeldAndWantedBlocks_CountsChunksAndWantsOnlyTheMissingBlock()
    {
        using var a = CatalogDatabase.Open(_a.Path, new CatalogDatabaseOptions { LocalDevice = Device(1) });
        Commit(a, "from-a", 1);
        var path = _b.Combine(CatalogDatabase.FileName);
        using (var old = CatalogDatabase.OpenFile(path, new CatalogDatabaseOptions { LocalDevice = Device(2) }, [.. CatalogMigrations.All.Where(m => m.Version <= 9)]))
        {
            Commit(old, "own", 2);
            Pull(a, old);
            Assert.Equal(9, old.SchemaVersion);
        }

        using var migrated = CatalogDatabase.Open(_b.Path, new CatalogDatabaseOptions { LocalDevice = Device(2) });
        using var reader = migrated.CreateReader();

        Assert.Equal(CatalogMigrations.LatestVersion, migrated.SchemaVersion);
        Assert.Equal(0, ChunkCount(migrated, Id(1)));
        Assert.Equal(1, ChunkCount(migrated, Id(2)));
        Assert.Equal([Id(1)], reader.ReadWantedBlocks(10).Select(w => w.Id));
        Assert.Equal(1, reader.CountWantedBlocks());
        Assert.Empty(migrated.IntegrityCheck());
    }

    [Fact]
    public void ChunkCount_FollowsCopiesAddedAndForgotten_AndTheBlockLeavesTheWantedListWhenFetched()
    {
        using var a = CatalogDatabase.Open(_a.Path, new CatalogDatabaseOptions { LocalDevice = Device(1) });
        using var b = CatalogDatabase.Open(_b.Path, new CatalogDatabaseOptions { LocalDevice = Device(2) });
        Commit(a, "x", 3);
        Pull(a, b);
        var block = Block(3);
        using var reader = b.CreateReader();
        Assert.Equal(1, reader.CountWantedBlocks());

        using (var writer = b.CreateWriter())
        {
            Assert.Equal([true], writer.RecordFetchedBlocks([block]));
        }

        Assert.Equal(1, ChunkCount(b, block.Id));
        Assert.Equal(0, reader.CountWantedBlocks());
        Assert.Empty(reader.ReadWantedBlocks(10));

        // The copy lost behind the catalogue's back (as the healer finds it): wanted again, from peers.
        Execute(b, "DELETE FROM chunks WHERE block_id = $p0", block.Id.ToArray());
        Assert.Equal(0, ChunkCount(b, block.Id));
        Assert.Equal([block.Id], reader.ReadWantedBlocks(10).Select(w => w.Id));
    }

    [Fact]
    public void IntegrityCheck_HandBrokenChunkCount_ReportsChunkCountMismatch()
    {
        using var a = CatalogDatabase.Open(_a.Path, new CatalogDatabaseOptions { LocalDevice = Device(1) });
        Commit(a, "x", 4);
        var block = Block(4);

        Execute(a, "UPDATE blocks SET chunk_count = 0 WHERE id = $p0", block.Id.ToArray());

        var problem = Assert.Single(a.IntegrityCheck());
        Assert.Equal(CatalogProblemKind.ChunkCountMismatch, problem.Kind);
        Assert.Contains("chunk_count 0 but 1", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CatalogReader.ReadWantedBlocksSql)]
    [InlineData(CatalogReader.CountWantedBlocksSql)]
    public void WantedBlockQueries_ReadThePartialIndex_NotEveryBlock(string sql)
    {
        using var a = CatalogDatabase.Open(_a.Path, new CatalogDatabaseOptions { LocalDevice = Device(1) });
        using var connection = Raw(a);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        command.Parameters.Add(new SqliteParameter("$p0", 10));
        using var plan = command.ExecuteReader();
        var steps = new List<string>();
        while (plan.Read())
        {
            steps.Add(plan.GetString(3));
        }

        Assert.Contains(steps, step => step.Contains("blocks_wanted", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, step => step.Contains("chunks", StringComparison.Ordinal));
    }
}

using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;
using Microsoft.Data.Sqlite;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

/// <summary>Migration 2 (stripes), the writer's stripe commit and the stripe part of IntegrityCheck.</summary>
public sealed class CatalogStripesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_Version1DatabaseWithData_MigratesKeepingEveryRow()
    {
        var path = _dir.Combine(CatalogDatabase.FileName);
        using (CatalogDatabase.OpenFile(path, new CatalogDatabaseOptions(), [CatalogMigrations.All[0]]))
        {
        }

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO blocks (id, plain_size, stored_size, compression, refcount, created_at) VALUES ($a, 10, 8, 1, 0, 5), ($b, 20, 16, 1, 0, 6);
                INSERT INTO chunks (block_id, backend, object_name, stored_at) VALUES ($a, 'local', 'objecta0000000000', 7), ($b, 'local', 'objectb0000000000', 8);
                INSERT INTO files (path, kind, size, mode, mtime_ns, merkle_root, block_count, added_at) VALUES ('f', 0, 10, 420, 1, $a, 1, 9);
                INSERT INTO file_manifests (file_id, manifest) VALUES (1, x'00');
                INSERT INTO file_blocks (file_id, seq, block_id, "offset", length) VALUES (1, 0, $a, 0, 10);
                """;
            command.Parameters.AddWithValue("$a", Id(1).Hash.ToArray());
            command.Parameters.AddWithValue("$b", Id(2).Hash.ToArray());
            command.ExecuteNonQuery();
        }

        using var database = CatalogDatabase.Open(_dir.Path);

        Assert.Equal(CatalogMigrations.LatestVersion, database.SchemaVersion);
        Assert.Equal(string.Empty, string.Join("; ", database.IntegrityCheck().Select(p => $"{p.Kind}: {p.Message}")));
        using (var reader = database.CreateReader())
        {
            Assert.Equal("objecta0000000000", Assert.Single(reader.GetBlockLocations(Id(1))).ObjectName);
            Assert.Equal("objectb0000000000", Assert.Single(reader.GetBlockLocations(Id(2))).ObjectName);
            Assert.Equal(BackendSetName, Assert.Single(reader.ListBackends()).Name);
            Assert.Null(reader.GetBlockStripe(Id(1)));
            Assert.Equal(new BackendUsage("local", 2, 24), Assert.Single(reader.GetBackendUsage()));
        }

        // The old cascade is now a trigger: forgetting the released block deletes its chunk.
        using var writer = database.CreateWriter();
        Assert.Equal(1, writer.ForgetBlocks([Id(2)]));
        using var after = database.CreateReader();
        Assert.Empty(after.GetBlockLocations(Id(2)));
        Assert.Equal(1, Assert.Single(after.GetBackendUsage()).Objects);
    }

    [Fact]
    public void Commit_WithStripe_LinksItsBlocksAndRecordsParity()
    {
        using var database = CatalogDatabase.Open(_dir.Path);
        using var writer = database.CreateWriter();
        var blocks = new[] { Block(1), Block(2, storedSize: 700), Block(3) };
        var stripe = Stripe(blocks, shardSize: 700);

        writer.Commit([File("a", blocks[0], blocks[1]), File("b", blocks[2])], blocks, [stripe]);

        Assert.Empty(database.IntegrityCheck());
        using var reader = database.CreateReader();
        var (stripeId, index) = reader.GetBlockStripe(Id(2))!.Value;
        Assert.Equal(1, index);
        var layout = reader.GetStripe(stripeId)!;
        Assert.Equal((3, 2, 700), (layout.K, layout.M, layout.ShardSize));
        Assert.Equal([0, 1, 2, 3, 4], layout.Shards.Select(s => s.Index).ToArray());
        Assert.Equal([false, false, false, true, true], layout.Shards.Select(s => s.IsParity).ToArray());
        Assert.Equal(stripe.Parity[1].Hash, layout.Shards[4].Id);
        Assert.Equal(0, reader.CountUnprotectedBlocks());
        Assert.Equal(1 + 1 + 1 + 2, reader.GetBackendUsage().Sum(u => u.Objects));
    }

    [Fact]
    public void Commit_StripeNamingAnUnknownBlock_IsSkippedAndTheFilesAreCommitted()
    {
        using var database = CatalogDatabase.Open(_dir.Path);
        using var writer = database.CreateWriter();

        writer.Commit([File("a", Block(1))], [Block(1)], [Stripe([Block(1), Block(9)], shardSize: 600)]);

        Assert.Empty(database.IntegrityCheck());
        using var reader = database.CreateReader();
        Assert.NotNull(reader.GetFile("a"));
        Assert.Null(reader.GetBlockStripe(Id(1)));
        Assert.Equal(1, reader.CountUnprotectedBlocks());
    }

    [Fact]
    public void IntegrityCheck_StripeMissingAParityShardOrWithAnOversizedShard_ReportsStripeMismatch()
    {
        using var database = CatalogDatabase.Open(_dir.Path);
        using (var writer = database.CreateWriter())
        {
            writer.Commit([File("a", Block(1), Block(2))], [Block(1), Block(2)], [Stripe([Block(1), Block(2)], shardSize: 600)]);
        }

        using (var connection = new SqliteConnection($"Data Source={_dir.Combine(CatalogDatabase.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM chunks WHERE is_parity = 1 AND shard_index = 3; UPDATE stripes SET shard_size = 10";
            command.ExecuteNonQuery();
        }

        var problem = Assert.Single(database.IntegrityCheck());
        Assert.Equal(CatalogProblemKind.StripeMismatch, problem.Kind);
        Assert.Contains("1 parity shards", problem.Message, StringComparison.Ordinal);
        Assert.Contains("largest data shard 600", problem.Message, StringComparison.Ordinal);
    }

    private const string BackendSetName = "local";

    private static SealedStripe Stripe(StoredBlock[] blocks, int shardSize) => new(
        blocks.Length, 2, shardSize, blocks.Select(b => b.Id).ToArray(),
        Enumerable.Range(0, 2).Select(j => new ParityShard(BlockId.Compute([(byte)j, (byte)blocks.Length]), blocks.Length + j,
            j == 0 ? "local" : "b2", "parity" + j + new string('0', 16))).ToArray());
}

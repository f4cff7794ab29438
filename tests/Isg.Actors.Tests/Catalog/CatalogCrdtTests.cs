using Isg.Actors.Catalog;
using Isg.Protocol.Crdt;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Microsoft.Data.Sqlite;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogCrdtTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private static DeviceId Device(int n) => DeviceId.FromHash(Hash256.Compute([(byte)n, 0x77]));

    private sealed record Replica(DeviceId Device, CatalogDatabase Database, CatalogWriter Writer, CatalogReader Reader);

    private Replica Open(int n, TempDirectory? directory = null)
    {
        if (directory is null)
        {
            directory = new TempDirectory();
            _owned.Add(directory);
        }

        var database = OpenNew(directory, new CatalogDatabaseOptions { LocalDevice = Device(n) });
        var writer = database.CreateWriter();
        var reader = database.CreateReader();
        _owned.Add(database);
        _owned.Add(writer);
        _owned.Add(reader);
        return new Replica(Device(n), database, writer, reader);
    }

    // Real files whose modification time follows their content.
    private static (FileCommit File, StoredBlock Block) RealFile(string path, int content) =>
        CatalogTestData.RealFile(path, content, 1_700_000_000_000_000_000 + content);

    private static void Add(Replica replica, string path, int content)
    {
        var (file, block) = RealFile(path, content);
        replica.Writer.Commit([file], [block]);
    }

    private static int Sync(Replica from, Replica to)
    {
        var page = from.Reader.ReadOperationsAfter(to.Reader.ReadVersionVector(), 10_000);
        Assert.False(page.More);
        return to.Writer.ApplyOperations(page.Operations).Applied;
    }

    private static void SyncAll(params Replica[] replicas)
    {
        for (var round = 0; round < 2; round++)
        {
            foreach (var from in replicas)
            {
                foreach (var to in replicas.Where(r => r != from))
                {
                    Sync(from, to);
                }
            }
        }
    }

    private static string[] Paths(Replica replica) => [.. replica.Reader.ListFiles(string.Empty).Select(f => f.Path)];

    private static Hash256 ContentOf(Replica replica, string path) => replica.Reader.GetFile(path)!.MerkleRoot;

    [Fact]
    public void Commit_WithLocalDevice_LogsOneOperationPerWrite()
    {
        var a = Open(1);

        Add(a, "x.txt", 1);
        Add(a, "x.txt", 2);
        a.Writer.RemoveFiles("x.txt", recursive: false);

        Assert.Equal(3UL, a.Reader.ReadVersionVector()[a.Device]);
        Assert.DoesNotContain(a.Reader.ReadSurvivors(string.Empty, null, 10).Operations, o => !o.IsTombstone);
    }

    [Fact]
    public void ApplyOperations_FileAddedOnA_AppearsOnBWithWantedBlocksAndSameRoot()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "docs/report.pdf", 1);

        Assert.Equal(1, Sync(a, b));

        Assert.Equal(["docs/report.pdf"], Paths(b));
        Assert.Equal(ContentOf(a, "docs/report.pdf"), ContentOf(b, "docs/report.pdf"));
        Assert.Equal(Id(1), Assert.Single(b.Reader.ReadWantedBlocks(10)).Id);
        Assert.Empty(a.Reader.ReadWantedBlocks(10));
        Assert.Equal(a.Reader.ComputeCatalogDigest(string.Empty, null), b.Reader.ComputeCatalogDigest(string.Empty, null));
        Assert.Empty(b.Database.IntegrityCheck());
    }

    [Fact]
    public void RecordFetchedBlocks_WantedBlock_BecomesStoredAndIsNoLongerWanted()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x", 1);
        Sync(a, b);

        Assert.Equal([true], b.Writer.RecordFetchedBlocks([Block(1)]));

        Assert.Empty(b.Reader.ReadWantedBlocks(10));
        Assert.Empty(b.Database.IntegrityCheck());
        Assert.Equal([false], b.Writer.RecordFetchedBlocks([Block(99)]));
    }

    [Fact]
    public void RecordFetchedBlocks_WantedAndUnwantedInOneBatch_SaysWhichAreNeededAndKeepsTheOtherUnreferenced()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x", 1);
        Add(a, "y", 2);
        Sync(a, b);

        Assert.Equal([true, false, true], b.Writer.RecordFetchedBlocks([Block(1), Block(99), Block(2)]));

        Assert.Empty(b.Reader.ReadWantedBlocks(10));
        Assert.Equal([Block(99).Id], b.Reader.FindUnreferencedBlocks(10).Select(u => u.Id));
        Assert.Single(b.Reader.GetBlockLocations(Block(99).Id));
        Assert.Empty(b.Database.IntegrityCheck());
    }

    [Fact]
    public void RecordFetchedBlocks_AnnouncedBlockBeforeTheEntryNamingIt_TheEntryFindsItHeld()
    {
        // A peer's add announced block 1 and it was fetched before the add's entries arrived.
        var a = Open(1);
        var b = Open(2);
        Assert.Equal([false], b.Writer.RecordFetchedBlocks([Block(1)]));
        Add(a, "x", 1);
        Add(a, "y", 2);

        Sync(a, b);

        Assert.Equal([Block(2).Id], b.Reader.ReadWantedBlocks(10).Select(w => w.Id));
        Assert.Empty(b.Reader.FindUnreferencedBlocks(10));
        Assert.Single(b.Reader.GetBlockLocations(Block(1).Id));
        Assert.Empty(b.Database.IntegrityCheck());
    }

    private static long ChunkCount(CatalogDatabase database, BlockId id) =>
        Scalar(database, "SELECT chunk_count FROM blocks WHERE id = $p0", id.ToArray());

    [Fact]
    public void Open_Version9CatalogWithHeldAndWantedBlocks_CountsChunksAndWantsOnlyTheMissingBlock()
    {
        var a = Open(1);
        Add(a, "from-a", 1);
        var directory = new TempDirectory();
        _owned.Add(directory);
        var options = new CatalogDatabaseOptions { LocalDevice = Device(2) };
        using (var old = CatalogDatabase.OpenFile(directory.Combine(CatalogDatabase.FileName), options, [.. CatalogMigrations.All.Where(m => m.Version <= 9)]))
        using (var writer = old.CreateWriter())
        using (var reader = old.CreateReader())
        {
            var v9 = new Replica(Device(2), old, writer, reader);
            Add(v9, "own", 2);
            Sync(a, v9);
            Assert.Equal(9, old.SchemaVersion);
        }

        var migrated = Open(2, directory);

        Assert.Equal(CatalogMigrations.LatestVersion, migrated.Database.SchemaVersion);
        Assert.Equal(0, ChunkCount(migrated.Database, Id(1)));
        Assert.Equal(1, ChunkCount(migrated.Database, Id(2)));
        Assert.Equal([Id(1)], migrated.Reader.ReadWantedBlocks(10).Select(w => w.Id));
        Assert.Equal(1, migrated.Reader.CountWantedBlocks());
        Assert.Empty(migrated.Database.IntegrityCheck());
    }

    [Fact]
    public void ChunkCount_FollowsCopiesAddedAndForgotten_AndTheBlockLeavesTheWantedListWhenFetched()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x", 3);
        Sync(a, b);
        var block = Block(3);
        Assert.Equal(1, b.Reader.CountWantedBlocks());

        Assert.Equal([true], b.Writer.RecordFetchedBlocks([block]));

        Assert.Equal(1, ChunkCount(b.Database, block.Id));
        Assert.Equal(0, b.Reader.CountWantedBlocks());
        Assert.Empty(b.Reader.ReadWantedBlocks(10));

        // The copy lost behind the catalogue's back (as the healer finds it): wanted again, from peers.
        Execute(b.Database, "DELETE FROM chunks WHERE block_id = $p0", block.Id.ToArray());
        Assert.Equal(0, ChunkCount(b.Database, block.Id));
        Assert.Equal([block.Id], b.Reader.ReadWantedBlocks(10).Select(w => w.Id));
    }

    [Fact]
    public void IntegrityCheck_HandBrokenChunkCount_ReportsChunkCountMismatch()
    {
        var a = Open(1);
        Add(a, "x", 4);

        Execute(a.Database, "UPDATE blocks SET chunk_count = 0 WHERE id = $p0", Block(4).Id.ToArray());

        var problem = Assert.Single(a.Database.IntegrityCheck());
        Assert.Equal(CatalogProblemKind.ChunkCountMismatch, problem.Kind);
        Assert.Contains("chunk_count 0 but 1", problem.Message, StringComparison.Ordinal);
    }

    // Schema v10's blocks_wanted partial index serves both wanted-list statements.
    [Theory]
    [InlineData(CatalogReader.ReadWantedBlocksSql)]
    [InlineData(CatalogReader.CountWantedBlocksSql)]
    public void WantedBlockQueries_ReadThePartialIndex_NotEveryBlock(string sql)
    {
        var a = Open(1);
        using var connection = Raw(a.Database);
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

    [Fact]
    public void ReadWantedBlocksUnder_Prefix_OnlyThatTreesMissingBlocksInIdOrderPageByPage()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "dir/y", 2);
        Add(a, "dir/sub/w", 4);
        Add(a, "dirx/z", 3);
        Add(a, "x", 1);
        Sync(a, b);
        b.Writer.RecordFetchedBlocks([Block(4)]);

        Assert.Equal([Block(2).Id], b.Reader.ReadWantedBlocksUnder("dir", null, 10));
        var all = new[] { 1, 2, 3 }.Select(n => Block(n).Id).Order().ToList();
        Assert.Equal(all, b.Reader.ReadWantedBlocksUnder(string.Empty, null, 10));
        var first = Assert.Single(b.Reader.ReadWantedBlocksUnder(string.Empty, null, 1));
        Assert.Equal(all[1..], b.Reader.ReadWantedBlocksUnder(string.Empty, first, 10));
        Assert.Empty(a.Reader.ReadWantedBlocksUnder(string.Empty, null, 10));
    }

    [Fact]
    public void ApplyOperations_SameOperationsTwice_SecondTimeAppliesNothing()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x", 1);
        var page = a.Reader.ReadOperationsAfter(VersionVector.Empty, 100);

        Assert.Equal(1, b.Writer.ApplyOperations(page.Operations).Applied);
        Assert.Equal(0, b.Writer.ApplyOperations(page.Operations).Applied);
        Assert.Single(Paths(b));
    }

    [Fact]
    public void ApplyOperations_DeleteOnA_RemovesOnB()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x.txt", 1);
        Sync(a, b);

        a.Writer.RemoveFiles("x.txt", recursive: false);
        Sync(a, b);

        Assert.Empty(Paths(b));
        Assert.Empty(b.Reader.ReadWantedBlocks(10));
    }

    [Fact]
    public void ApplyOperations_ConcurrentEdits_BothVersionsOnBothReplicasWithConflictCopy()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "notes.txt", 1);
        Sync(a, b);

        Add(a, "notes.txt", 2);
        Add(b, "notes.txt", 3);
        SyncAll(a, b);

        var copyPaths = Paths(a).Where(p => p.Contains(ConflictCopyName.Marker, StringComparison.Ordinal)).ToArray();
        var copy = Assert.Single(copyPaths);
        Assert.Equal(Paths(a), Paths(b));
        Assert.Equal(2, Paths(a).Length);
        var contents = new[] { ContentOf(a, "notes.txt"), ContentOf(a, copy) }.ToHashSet();
        Assert.Equal(new[] { RealFile("x", 2).File.MerkleRoot, RealFile("x", 3).File.MerkleRoot }.ToHashSet(), contents);
        Assert.Contains(a.Device.ShortId, copy, StringComparison.Ordinal);
        Assert.Contains(b.Device.ShortId, copy, StringComparison.Ordinal);
        Assert.Equal(a.Reader.ComputeCatalogDigest(string.Empty, null), b.Reader.ComputeCatalogDigest(string.Empty, null));
    }

    [Fact]
    public void ApplyOperations_EditConcurrentWithDelete_EditSurvivesOnBoth()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x.txt", 1);
        Sync(a, b);

        b.Writer.RemoveFiles("x.txt", recursive: false);
        Add(a, "x.txt", 2);
        SyncAll(a, b);

        Assert.Equal(["x.txt"], Paths(b));
        Assert.Equal(RealFile("x.txt", 2).File.MerkleRoot, ContentOf(b, "x.txt"));
        Assert.Equal(a.Reader.ComputeCatalogDigest(string.Empty, null), b.Reader.ComputeCatalogDigest(string.Empty, null));
    }

    [Fact]
    public void RemoveFiles_ConflictCopy_SettlesOnEveryReplicaKeepingTheWinner()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "n.txt", 2);
        Add(b, "n.txt", 3);
        SyncAll(a, b);
        var winner = ContentOf(a, "n.txt");
        var copy = Paths(a).Single(p => p != "n.txt");

        a.Writer.RemoveFiles(copy, recursive: false);
        SyncAll(a, b);

        Assert.Equal(["n.txt"], Paths(a));
        Assert.Equal(["n.txt"], Paths(b));
        Assert.Equal(winner, ContentOf(b, "n.txt"));
    }

    [Fact]
    public void Commit_PathWithConflictCopy_CopyStaysAsAnEntryOfItsOwn()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "n.txt", 2);
        Add(b, "n.txt", 3);
        SyncAll(a, b);
        var copy = Paths(a).Single(p => p != "n.txt");
        var copyContent = ContentOf(a, copy);

        Add(b, "n.txt", 4);
        SyncAll(a, b);

        Assert.Equal(Paths(a), Paths(b));
        Assert.Equal(copyContent, ContentOf(a, copy));
        Assert.Equal(RealFile("n.txt", 4).File.MerkleRoot, ContentOf(a, "n.txt"));

        // The copy is now an ordinary entry: removing it is an ordinary delete that reaches the other replica.
        a.Writer.RemoveFiles(copy, recursive: false);
        SyncAll(a, b);
        Assert.Equal(["n.txt"], Paths(b));
    }

    [Fact]
    public void RemoveFiles_Recursive_EveryPathDeletedEverywhere()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "dir/a", 1);
        Add(a, "dir/sub/b", 2);
        Add(a, "dirx", 3);
        Sync(a, b);

        a.Writer.RemoveFiles("dir", recursive: true);
        Sync(a, b);

        Assert.Equal(["dirx"], Paths(b));
    }

    [Fact]
    public void Commit_AfterReopen_SequenceAndClockContinue()
    {
        using var directory = new TempDirectory();
        var a = Open(1, directory);
        Add(a, "x", 1);
        var first = a.Reader.ReadOperationsAfter(VersionVector.Empty, 10).Operations.Single();
        a.Writer.Dispose();

        using var writer = a.Database.CreateWriter();
        var (file, block) = RealFile("y", 2);
        writer.Commit([file], [block]);

        var operations = a.Reader.ReadOperationsAfter(VersionVector.Empty, 10).Operations;
        Assert.Equal([1UL, 2UL], operations.Select(o => o.Id.Sequence));
        Assert.True(operations[1].Clock.CompareTo(first.Clock) > 0);
    }

    [Fact]
    public void RecordMissingOperations_FilesCommittedWithoutDevice_AreLoggedOnce()
    {
        using var directory = new TempDirectory();
        using (var plain = OpenNew(directory))
        using (var writer = plain.CreateWriter())
        {
            var (file, block) = RealFile("old.txt", 1);
            writer.Commit([file], [block]);
        }

        var a = Open(1, directory);
        Assert.Equal(1, a.Writer.RecordMissingOperations());
        Assert.Equal(0, a.Writer.RecordMissingOperations());

        var b = Open(2);
        Sync(a, b);
        Assert.Equal(["old.txt"], Paths(b));
    }

    [Fact]
    public void CollectOperations_SeenByAllMembers_DropsDeadOperationsAndSendsLateReplicasTheState()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "keep", 1);
        Add(a, "gone", 2);
        a.Writer.RemoveFiles("gone", recursive: false);
        Add(a, "keep", 3);
        Sync(a, b);
        a.Writer.RecordMemberVector(b.Device, b.Reader.ReadVersionVector());

        var dropped = a.Writer.CollectOperations([b.Device]);

        Assert.Equal(3, dropped);
        var c = Open(3);
        var page = a.Reader.ReadOperationsAfter(c.Reader.ReadVersionVector(), 100);
        Assert.True(page.SnapshotRequired);
        var state = a.Reader.ReadSurvivors(string.Empty, null, 100);
        c.Writer.ApplyOperations(state.Operations);
        Assert.Equal(["keep"], Paths(c));
        Assert.Equal(a.Reader.ComputeCatalogDigest(string.Empty, null), c.Reader.ComputeCatalogDigest(string.Empty, null));

        // A member that has everything is not sent anything, and not asked to take a snapshot.
        Assert.False(a.Reader.ReadOperationsAfter(b.Reader.ReadVersionVector(), 100).SnapshotRequired);
    }

    [Fact]
    public void CollectOperations_MemberBehind_KeepsWhatItHasNotSeen()
    {
        var a = Open(1);
        var b = Open(2);
        Add(a, "x", 1);
        a.Writer.RemoveFiles("x", recursive: false);

        Assert.Equal(0, a.Writer.CollectOperations([b.Device]));
        Sync(a, b);
        Assert.Empty(Paths(b));
        Assert.Equal(2UL, b.Reader.ReadVersionVector()[a.Device]);
    }

    [Fact]
    public void ReadOperationsAfter_SmallPages_ReturnsEverythingInSequenceOrder()
    {
        var a = Open(1);
        var b = Open(2);
        for (var i = 0; i < 7; i++)
        {
            Add(a, $"f{i}", i);
        }

        var pages = 0;
        while (true)
        {
            var page = a.Reader.ReadOperationsAfter(b.Reader.ReadVersionVector(), 3);
            b.Writer.ApplyOperations(page.Operations);
            pages++;
            if (!page.More)
            {
                break;
            }
        }

        Assert.Equal(3, pages);
        Assert.Equal(7, Paths(b).Length);
    }

    [Fact]
    public void Replicas_RandomWritesAndPartialSyncs_MatchTheReferenceAndConverge()
    {
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(seed);
            var replicas = new[] { Open(1), Open(2), Open(3) };
            string[] paths = ["a", "b/c.txt", "b/d"];
            for (var step = 0; step < 30; step++)
            {
                var replica = replicas[random.Next(replicas.Length)];
                switch (random.Next(4))
                {
                    case 0:
                        Sync(replica, replicas[random.Next(replicas.Length)] is var other && other != replica ? other : replicas[(Array.IndexOf(replicas, replica) + 1) % 3]);
                        break;
                    case 1:
                        replica.Writer.RemoveFiles(paths[random.Next(paths.Length)], recursive: false);
                        break;
                    default:
                        Add(replica, paths[random.Next(paths.Length)], random.Next(5));
                        break;
                }
            }

            SyncAll(replicas);

            // The reference replica, fed every operation, resolves every path the same way.
            var reference = new CatalogReplica(Device(9));
            foreach (var operation in replicas[0].Reader.ReadOperationsAfter(VersionVector.Empty, 10_000).Operations)
            {
                reference.Apply(operation);
            }

            var expected = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var path in reference.Paths)
            {
                var resolution = reference.Resolve(path);
                if (resolution.Winner is not null)
                {
                    expected.Add(path);
                }

                expected.UnionWith(resolution.Copies.Select(c => c.Path));
            }

            foreach (var replica in replicas)
            {
                Assert.Equal(expected, Paths(replica));
                Assert.Equal(replicas[0].Reader.ComputeCatalogDigest(string.Empty, null), replica.Reader.ComputeCatalogDigest(string.Empty, null));
            }
        }
    }
}

using Isg.Actors.Catalog;
using Isg.Protocol.Catalogs;
using Isg.Protocol.Merkle;
using Microsoft.Data.Sqlite;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

// files.leaf_hash (schema v11): the catalogue's root read from stored hashes must be the root of its entries as
// CatalogLeaf defines it, whoever wrote the rows and whichever schema they were written under.
public sealed class CatalogLeafHashesTests : IDisposable
{
    private static readonly string[] s_paths = ["b/2.txt", "a.txt", "b/1.txt", "c", "b/10.txt", "é.txt", "link"];

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void ComputeCatalogDigest_FromStoredHashes_EqualsTheRootOfTheEntries()
    {
        using var database = OpenNew(_directory);
        Fill(database);

        using var reader = database.CreateReader();

        Assert.Equal(Expected(database, string.Empty, null), reader.ComputeCatalogDigest(string.Empty, null));
        Assert.Equal(Expected(database, "b/", "b0"), reader.ComputeCatalogDigest("b/", "b0"));
        Assert.Equal(3, reader.ComputeCatalogDigest("b/", "b0").Count);
        Assert.Equal(0, Scalar(database, "SELECT count(*) FROM files WHERE leaf_hash IS NULL"));
    }

    [Fact]
    public void Migration_CatalogueOfVersion10_GetsEveryHashAndTheSameRoot()
    {
        var path = _directory.Combine(CatalogDatabase.FileName);
        CatalogMigration[] version10 = [.. CatalogMigrations.All.Where(m => m.Version <= 10)];
        using (var old = CatalogDatabase.OpenFile(path, new CatalogDatabaseOptions(), version10))
        {
            // Rows as a v10 writer left them: the columns the root is made of, no leaf_hash column yet.
            foreach (var (entry, i) in s_paths.Select((p, i) => (p, i)))
            {
                Execute(old, """
                    INSERT INTO files (path, kind, size, mode, mtime_ns, link_target, merkle_root, block_count, added_at)
                    VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, 0, 0)
                    """, entry, i % 2, i * 1000L, 0x1A4, 1_700_000_000_000_000_000L + i, entry == "link" ? "a.txt" : DBNull.Value,
                    Id(i).ToArray());
            }
        }

        using var database = CatalogDatabase.Open(_directory.Path);
        using var reader = database.CreateReader();

        Assert.Equal(11, Scalar(database, "PRAGMA user_version"));
        Assert.Equal(0, Scalar(database, "SELECT count(*) FROM files WHERE leaf_hash IS NULL"));
        Assert.Equal(s_paths.Length, reader.ComputeCatalogDigest(string.Empty, null).Count);
        Assert.Equal(Expected(database, string.Empty, null), reader.ComputeCatalogDigest(string.Empty, null));
    }

    [Fact]
    public void ComputeCatalogDigest_RowWithoutItsHash_HashesEveryEntryInstead()
    {
        using var database = OpenNew(_directory);
        Fill(database);
        var expected = Expected(database, string.Empty, null);

        Execute(database, "UPDATE files SET leaf_hash = NULL WHERE path = 'c'");
        using var reader = database.CreateReader();

        Assert.Equal(expected, reader.ComputeCatalogDigest(string.Empty, null));
    }

    [Fact]
    public void IntegrityCheck_StoredHashNotTheEntrys_IsReported_AndRewriteLeafHashesPutsItRight()
    {
        using var database = OpenNew(_directory);
        Fill(database);
        var expected = Expected(database, string.Empty, null);
        Assert.DoesNotContain(database.IntegrityCheck(), p => p.Kind == CatalogProblemKind.LeafHashMismatch);

        // 'c' holds another entry's hash: the root read from the stored hashes is wrong now.
        Execute(database, "UPDATE files SET leaf_hash = (SELECT leaf_hash FROM files WHERE path = 'a.txt') WHERE path = 'c'");
        using (var reader = database.CreateReader())
        {
            Assert.NotEqual(expected.Root, reader.ComputeCatalogDigest(string.Empty, null).Root);
        }

        // A missing hash is not a mismatch (the root hashes that row), but a rewrite fills it too.
        Execute(database, "UPDATE files SET leaf_hash = NULL WHERE path = 'b/1.txt'");
        var problem = Assert.Single(database.IntegrityCheck(), p => p.Kind == CatalogProblemKind.LeafHashMismatch);
        Assert.Contains("'c'", problem.Message, StringComparison.Ordinal);
        using (var reader = database.CreateReader())
        {
            Assert.Equal(2, reader.CountStaleLeafHashes());
        }

        using (var writer = database.CreateWriter())
        {
            Assert.Equal(2, writer.RewriteLeafHashes());
            Assert.Equal(0, writer.RewriteLeafHashes());
        }

        using var repaired = database.CreateReader();
        Assert.Equal(0, repaired.CountStaleLeafHashes());
        Assert.Equal(0, Scalar(database, "SELECT count(*) FROM files WHERE leaf_hash IS NULL"));
        Assert.Equal(expected, repaired.ComputeCatalogDigest(string.Empty, null));
        Assert.DoesNotContain(database.IntegrityCheck(), p => p.Kind == CatalogProblemKind.LeafHashMismatch);
    }

    [Fact]
    public void CatalogLeafHashesStatement_ReadsTheCoveringIndex_NotTheTable()
    {
        using var database = OpenNew(_directory);
        using var connection = Raw(database);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + CatalogReader.CatalogLeafHashesSql;
        command.Parameters.Add(new SqliteParameter("$p0", "b/"));
        command.Parameters.Add(new SqliteParameter("$p1", "b0"));
        using var plan = command.ExecuteReader();
        var steps = new List<string>();
        while (plan.Read())
        {
            steps.Add(plan.GetString(3));
        }

        var step = Assert.Single(steps);
        Assert.Contains("COVERING INDEX files_leaf_hashes", step, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", step, StringComparison.Ordinal);
    }

    private static void Fill(CatalogDatabase database)
    {
        using var writer = database.CreateWriter();
        foreach (var (path, i) in s_paths.Select((p, i) => (p, i)))
        {
            var file = path == "link"
                ? File(path) with { Kind = FileKind.Symlink, Size = 0, LinkTarget = "a.txt" }
                : File(path, Block(i + 1));
            writer.Commit([file], path == "link" ? [] : [Block(i + 1)]);
        }
    }

    // The root of the entries in [start, end), each hashed from its columns, in path (UTF-8 byte) order.
    private static CatalogDigest Expected(CatalogDatabase database, string start, string? end)
    {
        using var connection = Raw(database);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, kind, size, mode, mtime_ns, link_target, merkle_root FROM files";
        using var rows = command.ExecuteReader();
        var leaves = new List<(byte[] Path, CatalogLeaf Leaf)>();
        while (rows.Read())
        {
            var path = rows.GetString(0);
            var inRange = string.CompareOrdinal(path, start) >= 0 && (end is null || string.CompareOrdinal(path, end) < 0);
            if (inRange)
            {
                leaves.Add((System.Text.Encoding.UTF8.GetBytes(path), new CatalogLeaf(path, (byte)rows.GetInt32(1), rows.GetInt64(2), rows.GetInt32(3),
                    rows.GetInt64(4), rows.IsDBNull(5) ? null : rows.GetString(5), Isg.Protocol.Hashing.Hash256.FromBytes((byte[])rows.GetValue(6)))));
            }
        }

        var merkle = new MerkleTreeBuilder();
        foreach (var (_, leaf) in leaves.OrderBy(l => l.Path, Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))))
        {
            merkle.Append(leaf.ComputeHash());
        }

        return new CatalogDigest(merkle.ComputeRoot(), leaves.Count);
    }
}

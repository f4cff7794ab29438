using FsCheck;
using FsCheck.Fluent;
using Isg.Actors.Catalog;
using Isg.Protocol.Catalogs;
using Isg.Protocol.Merkle;
using static Isg.Actors.Tests.Catalog.CatalogTestData;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogWriterSnapshotTests : IDisposable
{
    private readonly CatalogFixture _catalog = new();

    public void Dispose() => _catalog.Dispose();

    private void Populate()
    {
        // Block 2 is shared by two files: the snapshot holds it once.
        _catalog.Writer.Commit(
            [File("a.txt", Block(1), Block(2)), File("b/c.bin", Block(2), Block(3)), Directory("b")],
            [Block(1), Block(2), Block(3)]);
    }

    [Fact]
    public void CreateSnapshot_PopulatedCatalogue_CopiesRowsAndAddsOneReferencePerDistinctBlock()
    {
        Populate();

        var snapshot = _catalog.Writer.CreateSnapshot("first");

        Assert.Equal("first", snapshot.Name);
        Assert.Null(snapshot.Parent);
        Assert.Equal(3, snapshot.FileCount);
        Assert.Equal(4000, snapshot.TotalSize);
        Assert.Equal(3, snapshot.BlockCount);
        Assert.Equal(3, Scalar(_catalog.Database, "SELECT count(*) FROM snapshot_files WHERE snapshot_id = $p0", snapshot.Id));
        Assert.Equal(3, Scalar(_catalog.Database, "SELECT count(*) FROM snapshot_blocks WHERE snapshot_id = $p0", snapshot.Id));
        Assert.Equal(2, Refcount(_catalog.Database, Id(1)));
        Assert.Equal(3, Refcount(_catalog.Database, Id(2)));
        Assert.Equal(2, Refcount(_catalog.Database, Id(3)));
        Assert.Equal(3, Scalar(_catalog.Database, "SELECT count(*) FROM blocks"));
        Assert.Empty(_catalog.Database.IntegrityCheck());

        using var reader = _catalog.Database.CreateReader();
        Assert.Equal(snapshot, reader.FindSnapshot("first"));
        Assert.Equal(snapshot, reader.FindSnapshot(snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(reader.ListFiles("").Select(e => (e.Path, e.Kind, e.Size, e.MerkleRoot)),
            reader.ListSnapshotFiles(snapshot.Id, "").Select(e => (e.Path, e.Kind, e.Size, e.MerkleRoot)));
        Assert.Equal(["b", "b/c.bin"], reader.ListSnapshotFiles(snapshot.Id, "b").Select(e => e.Path));
        Assert.Equal(File("a.txt").Manifest, reader.GetSnapshotManifest(snapshot.Id, "a.txt"));
    }

    [Fact]
    public void CreateSnapshot_Root_IsTheMerkleRootOfTheSortedLeaves()
    {
        Populate();

        var snapshot = _catalog.Writer.CreateSnapshot("s");

        using var reader = _catalog.Database.CreateReader();
        var builder = new MerkleTreeBuilder();
        foreach (var e in reader.ListFiles(""))
        {
            builder.Append(new CatalogLeaf(e.Path, (byte)e.Kind, e.Size, e.Mode, e.MtimeUnixNs, e.LinkTarget, e.MerkleRoot).ComputeHash());
        }

        Assert.Equal(builder.ComputeRoot(), snapshot.Root);
        Assert.Equal(snapshot.Root, _catalog.Writer.CreateSnapshot("same").Root);
        _catalog.Writer.Commit([File("a.txt", Block(1))], []);
        Assert.NotEqual(snapshot.Root, _catalog.Writer.CreateSnapshot("changed").Root);
    }

    [Fact]
    public void CreateSnapshot_Root_FromStoredLeafHashes_IsTheCataloguesRoot_AndWithoutThemTheSame()
    {
        Populate();
        CatalogDigest digest;
        using (var reader = _catalog.Database.CreateReader())
        {
            digest = reader.ComputeCatalogDigest(string.Empty, null);
        }

        var stored = _catalog.Writer.CreateSnapshot("stored");
        Execute(_catalog.Database, "UPDATE files SET leaf_hash = NULL WHERE path = 'b'");
        var hashed = _catalog.Writer.CreateSnapshot("one hashed from its columns");
        Execute(_catalog.Database, "UPDATE files SET leaf_hash = zeroblob(32) WHERE path = 'a.txt'");
        var damaged = _catalog.Writer.CreateSnapshot("read from a damaged hash");

        Assert.Equal(digest.Root, stored.Root);
        Assert.Equal(digest.Root, hashed.Root);
        Assert.Equal((3, 4000L), (stored.FileCount, stored.TotalSize));
        Assert.NotEqual(digest.Root, damaged.Root); // the stored hash is what it reads: IntegrityCheck and repair guard it
    }

    [Fact]
    public void CreateSnapshot_SecondSnapshot_HasTheNewestAsParent()
    {
        Populate();
        var first = _catalog.Writer.CreateSnapshot("one");
        var second = _catalog.Writer.CreateSnapshot("two");

        Assert.Equal(first.Id, second.Parent);
    }

    [Fact]
    public void CreateSnapshot_NameTaken_ThrowsAndChangesNothing()
    {
        Populate();
        _catalog.Writer.CreateSnapshot("dup");

        Assert.Throws<SnapshotNameTakenException>(() => _catalog.Writer.CreateSnapshot("dup"));
        Assert.Equal(1, Scalar(_catalog.Database, "SELECT count(*) FROM snapshots"));
        Assert.Equal(2, Refcount(_catalog.Database, Id(1)));
        Assert.Throws<ArgumentException>(() => _catalog.Writer.CreateSnapshot("123"));
        Assert.Throws<ArgumentException>(() => _catalog.Writer.CreateSnapshot(""));
    }

    [Fact]
    public void RemoveFiles_BlocksHeldBySnapshot_AreNotReleased()
    {
        Populate();
        _catalog.Writer.CreateSnapshot("keep");

        var released = _catalog.Writer.RemoveFiles("", recursive: true);

        Assert.Empty(released);
        Assert.Equal(1, Refcount(_catalog.Database, Id(1)));
        Assert.Equal(1, Refcount(_catalog.Database, Id(2)));
        Assert.Empty(_catalog.Database.IntegrityCheck());
        using var reader = _catalog.Database.CreateReader();
        Assert.True(reader.HasBlock(Id(1)));
    }

    [Fact]
    public void DeleteSnapshots_AfterFilesRemoved_ReleasesBlocksForCollectionWithoutForgettingThem()
    {
        Populate();
        var snapshot = _catalog.Writer.CreateSnapshot("gone");
        _catalog.Writer.RemoveFiles("b", recursive: true);

        var removal = _catalog.Writer.DeleteSnapshots([snapshot.Id, 9999]);

        Assert.Equal([snapshot], removal.Deleted);
        Assert.Equal(1, removal.BlocksReleased);
        Assert.Equal(1000, removal.BytesReleased);
        Assert.Equal(1, Refcount(_catalog.Database, Id(1)));
        Assert.Equal(1, Refcount(_catalog.Database, Id(2)));
        Assert.Equal(0, Refcount(_catalog.Database, Id(3)));
        Assert.Equal(0, Scalar(_catalog.Database, "SELECT count(*) FROM snapshot_files"));
        Assert.Equal(0, Scalar(_catalog.Database, "SELECT count(*) FROM snapshot_blocks"));
        Assert.Empty(_catalog.Database.IntegrityCheck());
        using var reader = _catalog.Database.CreateReader();
        Assert.Equal([Id(3)], reader.FindUnreferencedBlocks(10).Select(b => b.Id));

        // The released set is cleared: the next commit does not report block 3 again.
        Assert.Empty(_catalog.Writer.Commit([File("z", Block(1))], []));
    }

    [Fact]
    public void DeleteSnapshots_Middle_ReparentsItsChildren()
    {
        Populate();
        var a = _catalog.Writer.CreateSnapshot("a");
        var b = _catalog.Writer.CreateSnapshot("b");
        var c = _catalog.Writer.CreateSnapshot("c");

        _catalog.Writer.DeleteSnapshots([b.Id]);

        using var reader = _catalog.Database.CreateReader();
        Assert.Equal([(a.Id, (long?)null), (c.Id, a.Id)], reader.ListSnapshots().Select(s => (s.Id, s.Parent)));
    }

    [Fact]
    public void DeleteSnapshots_RandomCreatesAndDeletes_HistoryStaysATreeAndRefcountsExact()
    {
        Populate();
        var counter = 0;
        Prop.ForAll(Gen.ListOf(Gen.Choose(-3, 5)).ToArbitrary(), ops =>
        {
            foreach (var op in ops)
            {
                if (op >= 0)
                {
                    _catalog.Writer.CreateSnapshot($"s{counter++}");
                }
                else
                {
                    using var r = _catalog.Database.CreateReader();
                    var all = r.ListSnapshots();
                    if (all.Count > 0)
                    {
                        _catalog.Writer.DeleteSnapshots([all[(counter++ * 7 + -op) % all.Count].Id]);
                    }
                }
            }

            using var reader = _catalog.Database.CreateReader();
            var snapshots = reader.ListSnapshots().ToDictionary(s => s.Id);
            foreach (var s in snapshots.Values)
            {
                // Parents exist and are older, so following them always ends: a tree (a forest of roots).
                Assert.True(s.Parent is null || (snapshots.ContainsKey(s.Parent.Value) && s.Parent < s.Id));
            }

            Assert.Empty(_catalog.Database.IntegrityCheck());
            Assert.Equal(1 + snapshots.Count, Refcount(_catalog.Database, Id(1)));
        }).QuickCheckThrowOnFailure();
    }
}

using System.Text;
using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;
using Isg.Protocol.Manifests;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Tests.Catalog;

/// <summary>Builders for catalogue records and a side door into the database file for tests.</summary>
internal static class CatalogTestData
{
    public static BlockId Id(int n) => BlockId.Compute(BitConverter.GetBytes(n));

    public static StoredBlock Block(int n, string backend = "local", int plainSize = 1000, int storedSize = 600) =>
        new(Id(n), plainSize, storedSize, 1, backend, Id(n).ToHex());

    public static FileCommit File(string path, params StoredBlock[] blocks)
    {
        var fileBlocks = new List<FileBlock>();
        long offset = 0;
        for (var i = 0; i < blocks.Length; i++)
        {
            fileBlocks.Add(new FileBlock(i, blocks[i].Id, offset, blocks[i].PlainSize));
            offset += blocks[i].PlainSize;
        }

        return new FileCommit(path, FileKind.File, offset, 0x1A4, 1_700_000_000_000_000_000, null,
            Hash256.Compute(Encoding.UTF8.GetBytes(path)), Encoding.UTF8.GetBytes("manifest:" + path), fileBlocks);
    }

    /// <summary>A file of one block (content <paramref name="content"/>) with a real manifest, so peers can materialise it.</summary>
    public static (FileCommit File, StoredBlock Block) RealFile(string path, int content, long modified = 1_700_000_000_000_000_000)
    {
        var block = Block(content);
        var manifest = Manifest.Create([new BlockRef(block.Id, block.PlainSize)]);
        var file = new FileCommit(path, FileKind.File, manifest.Size, 0x1A4, modified, null, manifest.MerkleRoot,
            manifest.ToBytes(), [new FileBlock(0, block.Id, 0, block.PlainSize)]);
        return (file, block);
    }

    public static FileCommit Directory(string path) =>
        new(path, FileKind.Directory, 0, 0x1ED, 1_700_000_000_000_000_000, null, Hash256.Empty, [], []);

    public static CatalogDatabase OpenNew(TempDirectory directory, CatalogDatabaseOptions? options = null) =>
        CatalogDatabase.Open(directory.Path, options);

    /// <summary>An unpooled raw connection to the catalogue, for breaking or inspecting it behind the API's back.</summary>
    public static SqliteConnection Raw(CatalogDatabase database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static long Scalar(CatalogDatabase database, string sql, params object[] parameters)
    {
        using var connection = Raw(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue("$p" + i, parameters[i]);
        }

        return Convert.ToInt64(command.ExecuteScalar() ?? -1L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void Execute(CatalogDatabase database, string sql, params object[] parameters) => Scalar(database, sql, parameters);

    // Drift: the entry at `path` vanishes (with its block list and manifest) and the operation log says nothing of it.
    public static void RemoveEntryBehindTheLog(CatalogDatabase database, string path)
    {
        Execute(database, "DELETE FROM file_blocks WHERE file_id = (SELECT id FROM files WHERE path = $p0)", path);
        Execute(database, "DELETE FROM file_manifests WHERE file_id = (SELECT id FROM files WHERE path = $p0)", path);
        Execute(database, "DELETE FROM files WHERE path = $p0", path);
    }

    public static long Refcount(CatalogDatabase database, BlockId id) =>
        Scalar(database, "SELECT refcount FROM blocks WHERE id = $p0", id.ToArray());
}

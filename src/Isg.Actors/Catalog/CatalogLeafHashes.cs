using Isg.Protocol.Catalogs;
using Isg.Protocol.Hashing;
using Microsoft.Data.Sqlite;

namespace Isg.Actors.Catalog;

/// <summary>
/// files.leaf_hash (schema v11): each entry's <see cref="CatalogLeaf.ComputeTreeHash"/>, written with its row. The
/// catalogue's root (sync compares it after every change of the log) then reads one 32-byte value per entry from an
/// index, instead of decoding every row and hashing it twice: a scan of a few thousand entries took 14-26 ms on each
/// node at the end of every sync, and it grows with the catalogue.
/// </summary>
internal static class CatalogLeafHashes
{
    /// <summary>The schema version that added files.leaf_hash.</summary>
    public const int SchemaVersion = 11;

    /// <summary>The SQL function the v11 migration fills existing rows with (registered on the migrating connection only).</summary>
    public const string SqlFunction = "isg_catalog_leaf_hash";

    /// <summary><see cref="SqlFunction"/> applied to a files row's columns, for use in SQL over files.</summary>
    public const string SqlCall = SqlFunction + "(path, kind, size, mode, mtime_ns, link_target, merkle_root)";

    /// <summary>SQL condition on a files row: its stored hash is missing or not its entry's (needs <see cref="Register"/>).</summary>
    public const string StaleCondition = "leaf_hash IS NOT " + SqlCall;

    /// <summary>The tree hash of the entry a files row holds.</summary>
    public static Hash256 Compute(string path, FileKind kind, long size, int mode, long mtimeUnixNs, string? linkTarget, Hash256 merkleRoot) =>
        new CatalogLeaf(path, (byte)kind, size, mode, mtimeUnixNs, linkTarget, merkleRoot).ComputeTreeHash();

    /// <summary>Makes <see cref="SqlFunction"/>(path, kind, size, mode, mtime_ns, link_target, merkle_root) callable on <paramref name="connection"/>.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<string, long, long, long, long, string?, byte[], byte[]>(SqlFunction,
            (path, kind, size, mode, mtime, link, root) =>
                Compute(path, (FileKind)kind, size, (int)mode, mtime, link, Hash256.FromBytes(root)).ToArray(),
            isDeterministic: true);
}

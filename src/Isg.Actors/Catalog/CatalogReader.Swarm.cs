using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Reads for serving blocks to others.</summary>
public sealed partial class CatalogReader
{
    /// <summary>
    /// True when a live entry or snapshot references <paramref name="id"/>: the blocks this node may serve. A block
    /// waiting for garbage collection, or never known, is not served.
    /// </summary>
    public bool IsBlockReferenced(BlockId id) => Run("SELECT 1 FROM blocks WHERE id = $p0 AND refcount > 0", 1, command =>
    {
        SetId(command, 0, id);
        using var reader = command.ExecuteReader();
        return reader.Read();
    });

    /// <summary>
    /// Up to <paramref name="max"/> blocks, in id order after <paramref name="after"/> (null: from the first), that the
    /// entries at and below <paramref name="prefix"/> ("" for all) need and that are stored nowhere here: what a
    /// catalogue-only node must fetch from peers to restore them.
    /// </summary>
    public IReadOnlyList<BlockId> ReadWantedBlocksUnder(string prefix, BlockId? after, int max)
    {
        CatalogPaths.ValidatePrefix(prefix, nameof(prefix));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return Run("""
            SELECT DISTINCT fb.block_id FROM files f JOIN file_blocks fb ON fb.file_id = f.id
            WHERE ($p0 = '' OR f.path = $p0 OR (f.path >= $p1 AND f.path < $p2)) AND fb.block_id > $p3
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.block_id = fb.block_id)
            ORDER BY fb.block_id LIMIT $p4
            """, 5, command =>
        {
            command.Parameters[0].Value = prefix;
            command.Parameters[1].Value = prefix.Length == 0 ? string.Empty : CatalogPaths.DescendantsLowerBound(prefix);
            command.Parameters[2].Value = prefix.Length == 0 ? string.Empty : CatalogPaths.DescendantsUpperBound(prefix);
            command.Parameters[3].Value = after is { } last ? last.ToArray() : Array.Empty<byte>();
            command.Parameters[4].Value = max;
            using var reader = command.ExecuteReader();
            var wanted = new List<BlockId>();
            while (reader.Read())
            {
                wanted.Add(ReadId(reader, 0));
            }

            return (IReadOnlyList<BlockId>)wanted;
        });
    }
}

using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Blocks fetched from peers: a wanted block becomes an ordinary stored block.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _completeWantedBlock;

    /// <summary>
    /// Records that <paramref name="blocks"/>, fetched from peers, are now durable at their locations, in one
    /// transaction: each wanted block's row takes its sealed size and compression, and its location is added. Call
    /// only after the objects are durable. The answer holds, per block, false (and nothing recorded for it) when no
    /// entry needs it any more.
    /// </summary>
    public IReadOnlyList<bool> RecordFetchedBlocks(IReadOnlyList<StoredBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return InTransaction(() =>
        {
            var complete = _completeWantedBlock ??= Prepare("""
                UPDATE blocks SET stored_size = ?2, compression = ?3
                WHERE id = ?1 AND refcount > 0
                """);
            var now = _database.NowUnixMilliseconds();
            var needed = new bool[blocks.Count];
            Span<byte> id = stackalloc byte[Hash256.Length];
            for (var i = 0; i < blocks.Count; i++)
            {
                var block = blocks[i];
                block.Id.WriteTo(id);
                complete.Bind(1, id);
                complete.Bind(2, block.StoredSize);
                complete.Bind(3, block.Compression);
                if (complete.Execute() > 0)
                {
                    InsertBlock(block, now);
                    needed[i] = true;
                }
            }

            return (IReadOnlyList<bool>)needed;
        });
    }
}

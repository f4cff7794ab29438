using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Blocks fetched from peers: a wanted block becomes an ordinary stored block.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _completeWantedBlock;

    /// <summary>
    /// Records that <paramref name="blocks"/>, fetched from peers, are now durable at their locations, in one
    /// transaction: each wanted block's row takes its sealed size and compression, and its location is added. A block
    /// no entry names (announced by a peer whose add has not committed yet, or no longer needed) is recorded as held
    /// and unreferenced: an entry naming it later finds it here, else garbage collection removes it. Call only after
    /// the objects are durable. The answer holds, per block, whether an entry needs it.
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
                needed[i] = complete.Execute() > 0;
                InsertBlock(block, now);
            }

            return (IReadOnlyList<bool>)needed;
        });
    }
}

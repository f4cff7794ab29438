using Isg.Actors.GarbageCollection;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Garbage collection's transaction: forget dead blocks and stripes, after checking they are still dead.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _gcReadDeadBlock;
    private SqliteStatement? _gcForgetChunks;
    private SqliteStatement? _gcForgetBlock;

    /// <summary>
    /// In ONE transaction, forgets each block of <paramref name="deadBlocks"/> that still has refcount 0 (its row and
    /// every location). A block referenced again since it was planned is kept and counted as skipped. Returns the
    /// objects of the forgotten rows: delete them from their backends AFTER this returns (an object whose delete
    /// fails is then an orphan, which the next collection removes; the reverse order could leave a row naming
    /// nothing). Idempotent: a block already forgotten is neither counted nor returned.
    /// </summary>
    public GcForgotten ForgetGarbage(IReadOnlyList<BlockId> deadBlocks)
    {
        ArgumentNullException.ThrowIfNull(deadBlocks);
        if (deadBlocks.Count == 0)
        {
            return GcForgotten.None;
        }

        _gcReadDeadBlock ??= Prepare("""
            SELECT b.refcount, b.stored_size, c.backend, c.object_name
            FROM blocks b LEFT JOIN chunks c ON c.block_id = b.id
            WHERE b.id = ?1
            """);
        _gcForgetChunks ??= Prepare("DELETE FROM chunks WHERE block_id = ?1");
        _gcForgetBlock ??= Prepare("DELETE FROM blocks WHERE id = ?1 AND refcount = 0");
        return InTransaction(() =>
        {
            var objects = new List<GcObject>();
            var blocks = 0;
            var skipped = 0;
            Span<byte> id = stackalloc byte[Hash256.Length];
            foreach (var block in deadBlocks)
            {
                block.WriteTo(id);
                var found = false;
                var dead = false;
                var start = objects.Count;
                _gcReadDeadBlock.Bind(1, id);
                try
                {
                    while (_gcReadDeadBlock.Step())
                    {
                        found = true;
                        dead = _gcReadDeadBlock.Int64(0) == 0;
                        if (dead && !_gcReadDeadBlock.IsNull(2))
                        {
                            objects.Add(new GcObject(_gcReadDeadBlock.Text(2), _gcReadDeadBlock.Text(3), _gcReadDeadBlock.Int64(1)));
                        }
                    }
                }
                finally
                {
                    _gcReadDeadBlock.Reset();
                }

                if (!found)
                {
                    continue;
                }

                if (!dead)
                {
                    objects.RemoveRange(start, objects.Count - start);
                    skipped++;
                    continue;
                }

                _gcForgetChunks.Bind(1, id);
                _gcForgetChunks.Execute();
                _gcForgetBlock.Bind(1, id);
                blocks += _gcForgetBlock.Execute();
            }

            return new GcForgotten(objects, blocks, 0, skipped);
        });
    }
}

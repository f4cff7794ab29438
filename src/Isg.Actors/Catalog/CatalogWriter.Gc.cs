using Isg.Actors.GarbageCollection;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Garbage collection's transaction: forget dead blocks and stripes, after checking they are still dead.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _gcReadDeadBlock;
    private SqliteStatement? _gcForgetChunks;
    private SqliteStatement? _gcForgetBlock;
    private SqliteStatement? _gcStripeLive;
    private SqliteStatement? _gcStripeObjects;
    private SqliteStatement? _gcForgetStripeBlocks;

    /// <summary>
    /// In ONE transaction, forgets each block of <paramref name="deadBlocks"/> that still has refcount 0 and is in no
    /// stripe (its row and every location), and each stripe of <paramref name="deadStripes"/> whose data blocks all
    /// still have refcount 0 (the stripe, its data blocks and its parity shards). A block or stripe referenced again
    /// since it was planned is kept and counted as skipped. Returns the
    /// objects of the forgotten rows: delete them from their backends AFTER this returns (an object whose delete
    /// fails is then an orphan, which the next collection removes; the reverse order could leave a row naming
    /// nothing). Idempotent: a block already forgotten is neither counted nor returned.
    /// </summary>
    public GcForgotten ForgetGarbage(IReadOnlyList<BlockId> deadBlocks, IReadOnlyList<long> deadStripes)
    {
        ArgumentNullException.ThrowIfNull(deadBlocks);
        ArgumentNullException.ThrowIfNull(deadStripes);
        if (deadBlocks.Count == 0 && deadStripes.Count == 0)
        {
            return GcForgotten.None;
        }

        _gcReadDeadBlock ??= Prepare("""
            SELECT b.refcount = 0 AND b.stripe_id IS NULL, b.stored_size, c.backend, c.object_name
            FROM blocks b LEFT JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
            WHERE b.id = ?1
            """);
        _gcForgetChunks ??= Prepare("DELETE FROM chunks WHERE block_id = ?1 AND is_parity = 0");
        _gcForgetBlock ??= Prepare("DELETE FROM blocks WHERE id = ?1 AND refcount = 0 AND stripe_id IS NULL");
        _gcStripeLive ??= Prepare("SELECT EXISTS (SELECT 1 FROM blocks WHERE stripe_id = ?1 AND refcount > 0), EXISTS (SELECT 1 FROM stripes WHERE id = ?1)");
        PrepareForgetStripe();
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
                        dead = _gcReadDeadBlock.Int64(0) != 0;
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

            var stripes = 0;
            foreach (var stripe in deadStripes)
            {
                bool live;
                bool exists;
                _gcStripeLive.Bind(1, stripe);
                try
                {
                    _gcStripeLive.Step();
                    live = _gcStripeLive.Int64(0) != 0;
                    exists = _gcStripeLive.Int64(1) != 0;
                }
                finally
                {
                    _gcStripeLive.Reset();
                }

                if (!exists)
                {
                    continue;
                }

                if (live)
                {
                    skipped++;
                    continue;
                }

                var (stripeBlocks, stripeRows) = ForgetStripe(stripe, objects);
                blocks += stripeBlocks;
                stripes += stripeRows;
            }

            return new GcForgotten(objects, blocks, stripes, skipped);
        });
    }

    private void PrepareForgetStripe()
    {
        // Every object of a stripe: its data blocks' copies (sealed size) and its parity shards (shard size).
        _gcStripeObjects ??= Prepare("""
            SELECT b.stored_size, c.backend, c.object_name
            FROM blocks b JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
            WHERE b.stripe_id = ?1
            UNION ALL
            SELECT s.shard_size, c.backend, c.object_name
            FROM stripes s JOIN chunks c ON c.stripe_id = s.id AND c.is_parity = 1
            WHERE s.id = ?1
            """);
        // Deleting the blocks drops their data chunks and deleting the stripe its parity chunks (v2 triggers).
        _gcForgetStripeBlocks ??= Prepare("DELETE FROM blocks WHERE stripe_id = ?1 AND refcount = 0");
        _deleteStripe ??= Prepare("DELETE FROM stripes WHERE id = ?1");
    }

    // Forgets a stripe whose data blocks are all dead (a collection's dead stripe, or a repack's old stripe once its
    // live blocks are unlinked): adds every object it names to objects and returns the block and stripe rows deleted.
    // Call PrepareForgetStripe first.
    private (int Blocks, int Stripes) ForgetStripe(long stripe, List<GcObject> objects)
    {
        Collect(_gcStripeObjects!, stripe, objects);
        _gcForgetStripeBlocks!.Bind(1, stripe);
        var blocks = _gcForgetStripeBlocks.Execute();
        _deleteStripe!.Bind(1, stripe);
        return (blocks, _deleteStripe.Execute());
    }
}

using Isg.Actors.GarbageCollection;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Catalog;

/// <summary>Garbage collection's repack transaction: live blocks move to new stripes, the old stripes go.</summary>
public sealed partial class CatalogWriter
{
    private SqliteStatement? _repackStripeExists;
    private SqliteStatement? _repackBlockStripe;
    private SqliteStatement? _repackLiveMembers;
    private SqliteStatement? _repackUnlink;
    private SqliteStatement? _repackOtherCopies;
    private SqliteStatement? _repackForgetOtherCopies;
    private SqliteStatement? _repackObjectNamed;

    /// <summary>
    /// In ONE transaction, commits <paramref name="repack"/>: first re-checks that every old stripe still exists, that
    /// every carried block is still a data block of one of them, and that every block of theirs with refcount above 0
    /// is carried; when any check fails nothing is changed and every old stripe is counted as skipped. Otherwise the
    /// carried blocks leave their old stripes, the old stripes' remaining (dead) data blocks and the stripes with their
    /// parity chunks are forgotten, the new stripes are recorded (as by a commit) and each move records the block's new
    /// location and forgets its other copies. Returns the objects no row names any more (old parity, dead data
    /// blocks, superseded copies): delete them AFTER this returns; the reverse order could leave a row naming nothing.
    /// </summary>
    public GcForgotten CommitRepack(GcRepack repack)
    {
        ArgumentNullException.ThrowIfNull(repack);
        ArgumentNullException.ThrowIfNull(repack.OldStripes);
        ArgumentNullException.ThrowIfNull(repack.LiveBlocks);
        ArgumentNullException.ThrowIfNull(repack.NewStripes);
        ArgumentNullException.ThrowIfNull(repack.Moves);
        for (var i = 0; i < repack.NewStripes.Count; i++)
        {
            Validate(repack.NewStripes[i], i);
        }

        if (repack.OldStripes.Count == 0)
        {
            return GcForgotten.None;
        }

        _repackStripeExists ??= Prepare("SELECT EXISTS (SELECT 1 FROM stripes WHERE id = ?1)");
        _repackBlockStripe ??= Prepare("SELECT stripe_id FROM blocks WHERE id = ?1");
        _repackLiveMembers ??= Prepare("SELECT id FROM blocks WHERE stripe_id = ?1 AND refcount > 0");
        _repackUnlink ??= Prepare("UPDATE blocks SET stripe_id = NULL, stripe_index = NULL WHERE id = ?1");
        PrepareForgetStripe();
        _repackOtherCopies ??= Prepare("""
            SELECT b.stored_size, c.backend, c.object_name
            FROM blocks b JOIN chunks c ON c.block_id = b.id AND c.is_parity = 0
            WHERE b.id = ?1 AND c.backend <> ?2
            """);
        _repackForgetOtherCopies ??= Prepare("DELETE FROM chunks WHERE block_id = ?1 AND is_parity = 0 AND backend <> ?2");
        _repackObjectNamed ??= Prepare("SELECT EXISTS (SELECT 1 FROM chunks WHERE backend = ?1 AND object_name = ?2)");
        return InTransaction(() =>
        {
            if (!StillAsPlanned(repack))
            {
                return new GcForgotten([], 0, 0, repack.OldStripes.Count);
            }

            Span<byte> id = stackalloc byte[Hash256.Length];
            foreach (var block in repack.LiveBlocks)
            {
                block.WriteTo(id);
                _repackUnlink.Bind(1, id);
                _repackUnlink.Execute();
            }

            var objects = new List<GcObject>();
            var blocks = 0;
            var stripes = 0;
            foreach (var stripe in repack.OldStripes)
            {
                // Only dead blocks are left in an old stripe once the carried ones are unlinked.
                var (stripeBlocks, stripeRows) = ForgetStripe(stripe, objects);
                blocks += stripeBlocks;
                stripes += stripeRows;
            }

            var now = _database.NowUnixMilliseconds();
            foreach (var stripe in repack.NewStripes)
            {
                InsertStripe(stripe, now);
            }

            foreach (var move in repack.Moves)
            {
                move.Block.WriteTo(id);
                _upsertChunk.Bind(1, id);
                _upsertChunk.Bind(2, move.Backend);
                _upsertChunk.Bind(3, move.ObjectName);
                _upsertChunk.Bind(4, now);
                _upsertChunk.Execute();
                _repackOtherCopies.Bind(1, id);
                _repackOtherCopies.Bind(2, move.Backend);
                Collect(_repackOtherCopies, null, objects);
                _repackForgetOtherCopies.Bind(1, id);
                _repackForgetOtherCopies.Bind(2, move.Backend);
                _repackForgetOtherCopies.Execute();
            }

            // A new shard may have the very name and place of an old one (same bytes): that object stays.
            objects.RemoveAll(IsNamed);
            return new GcForgotten(objects.Distinct().ToList(), blocks, stripes, 0);
        });
    }

    private bool StillAsPlanned(GcRepack repack)
    {
        var exists = _repackStripeExists!;
        var blockStripe = _repackBlockStripe!;
        var liveMembers = _repackLiveMembers!;
        var old = repack.OldStripes.ToHashSet();
        foreach (var stripe in old)
        {
            exists.Bind(1, stripe);
            try
            {
                if (!exists.Step() || exists.Int64(0) == 0)
                {
                    return false;
                }
            }
            finally
            {
                exists.Reset();
            }
        }

        var carried = repack.LiveBlocks.ToHashSet();
        if (carried.Count != repack.LiveBlocks.Count)
        {
            return false;
        }

        Span<byte> id = stackalloc byte[Hash256.Length];
        foreach (var block in carried)
        {
            block.WriteTo(id);
            blockStripe.Bind(1, id);
            try
            {
                if (!blockStripe.Step() || blockStripe.IsNull(0) || !old.Contains(blockStripe.Int64(0)))
                {
                    return false;
                }
            }
            finally
            {
                blockStripe.Reset();
            }
        }

        foreach (var stripe in old)
        {
            liveMembers.Bind(1, stripe);
            try
            {
                while (liveMembers.Step())
                {
                    if (!carried.Contains(BlockId.FromBytes(liveMembers.Blob(0))))
                    {
                        return false;
                    }
                }
            }
            finally
            {
                liveMembers.Reset();
            }
        }

        return true;
    }

    // Reads (size, backend, object name) rows of a bound statement (binding ?1 first when stripe is given).
    private static void Collect(SqliteStatement statement, long? stripe, List<GcObject> objects)
    {
        if (stripe is { } value)
        {
            statement.Bind(1, value);
        }

        try
        {
            while (statement.Step())
            {
                objects.Add(new GcObject(statement.Text(1), statement.Text(2), statement.Int64(0)));
            }
        }
        finally
        {
            statement.Reset();
        }
    }

    private bool IsNamed(GcObject candidate)
    {
        var named = _repackObjectNamed!;
        named.Bind(1, candidate.Backend);
        named.Bind(2, candidate.ObjectName);
        try
        {
            return named.Step() && named.Int64(0) != 0;
        }
        finally
        {
            named.Reset();
        }
    }
}

using Isg.Actors.Backends;
using Isg.Actors.Catalog;
using Isg.Actors.Striping;
using Isg.Actors.Transfers;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.Protocol.Sealing;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.GarbageCollection;

/// <summary>
/// The storage half of a repack (run under the exclusive lock): reads every live block of the stripes to repack,
/// verified (a copy that does not open is skipped and the block rebuilt from its old stripe, so damage is not carried
/// over), regroups them in stripe order into new stripes of the policy's k+m through <see cref="StripeAssembler"/>,
/// per size class like an add (<see cref="StripeAssembler.SizeClassOf"/>; same placement and parity code; sealed
/// bytes are reused, never re-sealed), writes each block whose
/// good copy is not on its new slot's backend there, and flushes. Blocks are ordered inside each new stripe so that
/// as many as possible keep their object. Nothing in the catalogue changes here: the returned <see cref="GcRepack"/>
/// is committed afterwards; until then the old stripes stay whole, and everything written is an orphan.
/// One instance per collection; not thread-safe.
/// </summary>
public sealed class StripeRepacker(RepositoryKey key, RedundancyPolicy policy, BackendSet backends, ILogger logger)
{
    private readonly List<GcStripePlan> _skipped = [];
    private long _bytesWritten;

    /// <summary>Stripes left as they were because a live block of theirs could not be read nor rebuilt.</summary>
    public IReadOnlyList<GcStripePlan> Skipped => _skipped;

    /// <summary>Bytes the repack wrote (moved blocks and new parity), including those of an abandoned repack.</summary>
    public long BytesWritten => _bytesWritten;

    /// <summary>
    /// Writes the new stripes for <paramref name="repacks"/> (layouts read from <paramref name="catalog"/>) and
    /// returns what to commit; null when nothing is left to repack or a write or flush failed (the repack is then
    /// abandoned: the old stripes are untouched and what was written is left for the next collection as orphans).
    /// </summary>
    public async Task<GcRepack?> PrepareAsync(IReadOnlyList<GcStripePlan> repacks, CatalogReader catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repacks);
        ArgumentNullException.ThrowIfNull(catalog);
        using var sealer = new BlockSealer(key, SealOptions.Default);
        var reader = new StripeReader(backends, sealer);
        using var assembler = new StripeAssembler(policy, backends, key);
        var oldStripes = new List<long>();
        var live = new List<BlockId>();
        var moves = new List<GcMove>();
        var sealedStripes = new List<SealedStripe>();
        // Blocks waiting for a full group of their size class, as the assembler groups them.
        var pending = Enumerable.Range(0, StripeAssembler.ClassCount).Select(_ => new List<LiveBlock>()).ToArray();
        var groups = 0;
        try
        {
            foreach (var plan in repacks.OrderBy(r => r.Stripe.Id))
            {
                var blocks = await ReadLiveAsync(plan, catalog, reader, cancellationToken).ConfigureAwait(false);
                if (blocks is null)
                {
                    _skipped.Add(plan);
                    continue;
                }

                oldStripes.Add(plan.Stripe.Id);
                live.AddRange(blocks.Select(b => b.Id));
                foreach (var block in blocks)
                {
                    var waiting = pending[policy.IsNone ? 0 : StripeAssembler.SizeClassOf(block.Bytes.Length)];
                    waiting.Add(block);
                    if (!policy.IsNone && waiting.Count == policy.DataShards)
                    {
                        groups++;
                        if (!await WriteGroupAsync(assembler, waiting, policy.DataShards, moves, sealedStripes, cancellationToken).ConfigureAwait(false))
                        {
                            return null;
                        }
                    }
                }
            }

            // The partial groups, one per class, then their parity.
            foreach (var waiting in pending)
            {
                if (waiting.Count > 0)
                {
                    groups++;
                    if (!await WriteGroupAsync(assembler, waiting, waiting.Count, moves, sealedStripes, cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }
                }
            }

            sealedStripes.AddRange(await assembler.CloseAsync(cancellationToken).ConfigureAwait(false));

            var expected = policy.IsNone ? 0 : groups;
            if (assembler.FailedStripes > 0 || sealedStripes.Count != expected)
            {
                logger.LogWarning("gc: repack abandoned: {Failed} new stripes could not be written; the old stripes stay as they are", expected - sealedStripes.Count);
                return null;
            }

            _bytesWritten += sealedStripes.Sum(s => (long)s.ShardSize * s.M);
            if (oldStripes.Count == 0)
            {
                return null;
            }

            try
            {
                await backends.FlushAllAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
            {
                logger.LogWarning("gc: repack abandoned: flushing the new stripes failed ({Reason}); the old stripes stay as they are", e.Message);
                return null;
            }

            return new GcRepack(oldStripes, live, sealedStripes, moves);
        }
        finally
        {
            foreach (var block in pending.SelectMany(p => p))
            {
                block.Bytes.Dispose();
            }
        }
    }

    // Reserves the first `count` pending blocks as one stripe of their size class, writing those whose slot backend
    // holds no good copy; removes them from pending. False when a put failed.
    private async Task<bool> WriteGroupAsync(StripeAssembler assembler, List<LiveBlock> pending, int count,
        List<GcMove> moves, List<SealedStripe> sealedStripes, CancellationToken cancellationToken)
    {
        var members = pending.GetRange(0, count);
        pending.RemoveRange(0, count);
        var ordered = new LiveBlock?[count];
        if (!policy.IsNone)
        {
            // A block goes to the slot whose backend already holds a good copy of it when that slot is free.
            var slots = assembler.NextBackends(members[0].Bytes.Length, count);
            for (var i = 0; i < count; i++)
            {
                var target = slots[i].Name;
                var match = members.FindIndex(b => b.GoodOn.Contains(target));
                if (match >= 0)
                {
                    ordered[i] = members[match];
                    members.RemoveAt(match);
                }
            }
        }

        var rest = 0;
        for (var i = 0; i < count; i++)
        {
            ordered[i] ??= members[rest++];
        }

        var ok = true;
        try
        {
            foreach (var block in ordered)
            {
                var slot = assembler.Reserve(block!.Id, block.Bytes.Span);
                var stored = true;
                var keep = policy.IsNone ? block.GoodOn.Count > 0 : block.GoodOn.Contains(slot.Backend.Name);
                if (!keep)
                {
                    var name = key.ObjectName(block.Id);
                    try
                    {
                        await slot.Backend.PutAsync(name, block.Bytes.Memory, cancellationToken).ConfigureAwait(false);
                        moves.Add(new GcMove(block.Id, slot.Backend.Name, name));
                        _bytesWritten += block.Bytes.Length;
                    }
                    catch (BackendException e)
                    {
                        logger.LogWarning("gc: repack abandoned: could not write block {Block} to {Backend}: {Reason}", block.Id, slot.Backend.Name, e.Message);
                        stored = false;
                        ok = false;
                    }
                }

                if (await assembler.ReportAsync(slot, stored, cancellationToken).ConfigureAwait(false) is { } sealedStripe)
                {
                    sealedStripes.Add(sealedStripe);
                }
            }
        }
        finally
        {
            foreach (var block in ordered)
            {
                block?.Bytes.Dispose();
            }
        }

        return ok;
    }

    // The verified sealed bytes of every live block of plan's stripe, in shard order; null when one cannot be had.
    private async Task<List<LiveBlock>?> ReadLiveAsync(GcStripePlan plan, CatalogReader catalog, StripeReader reader, CancellationToken cancellationToken)
    {
        var layout = catalog.GetStripe(plan.Stripe.Id);
        if (layout is null)
        {
            return null;
        }

        var wanted = plan.Live.Select(b => b.Id).ToHashSet();
        var shards = layout.Shards.Where(s => !s.IsParity && wanted.Contains(s.Id)).OrderBy(s => s.Index).ToList();
        if (shards.Count != wanted.Count)
        {
            logger.LogWarning("gc: stripe {Stripe} not repacked: its catalogue rows changed since planning", plan.Stripe.Id);
            return null;
        }

        var blocks = new List<LiveBlock>(shards.Count);
        foreach (var shard in shards)
        {
            var block = await ReadVerifiedAsync(layout, shard, reader, cancellationToken).ConfigureAwait(false);
            if (block is null)
            {
                foreach (var read in blocks)
                {
                    read.Bytes.Dispose();
                }

                return null;
            }

            blocks.Add(block);
        }

        return blocks;
    }

    private async Task<LiveBlock?> ReadVerifiedAsync(StripeLayout layout, StripeShard shard, StripeReader reader, CancellationToken cancellationToken)
    {
        PooledBuffer? good = null;
        var goodOn = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (backendName, objectName) in shard.Locations)
        {
            if (!backends.TryGet(backendName, out var backend))
            {
                continue;
            }

            try
            {
                using var bytes = await backend.GetAsync(objectName, cancellationToken).ConfigureAwait(false);
                var span = bytes.Memory.Span;
                using var plaintext = span.Length == shard.StoredSize ? reader.Open(shard.Id, span) : null;
                if (plaintext is not null)
                {
                    goodOn.Add(backendName);
                    good ??= PooledBuffer.CopyOf(span);
                }
            }
            catch (BackendException e)
            {
                logger.LogDebug("gc: copy of block {Block} on {Backend} unreadable: {Reason}", shard.Id, backendName, e.Message);
            }
        }

        if (good is not null)
        {
            return new LiveBlock(shard.Id, good, goodOn);
        }

        // No good copy: rebuild it from the old stripe, which is still whole in the catalogue.
        try
        {
            var rebuilt = await reader.RebuildAsync(layout, [shard.Index], cancellationToken).ConfigureAwait(false);
            var bytes = rebuilt[shard.Index];
            using var plaintext = reader.Open(shard.Id, bytes.Span);
            if (plaintext is not null)
            {
                return new LiveBlock(shard.Id, bytes, goodOn);
            }

            bytes.Dispose();
        }
        catch (DataIntegrityException e)
        {
            logger.LogWarning("gc: stripe {Stripe} not repacked: {Reason}", layout.Id, e.Message);
            return null;
        }

        logger.LogWarning("gc: stripe {Stripe} not repacked: block {Block} rebuilt from it does not verify", layout.Id, shard.Id);
        return null;
    }

    private sealed record LiveBlock(BlockId Id, PooledBuffer Bytes, HashSet<string> GoodOn);
}

using Isg.Actors.Striping;

namespace Isg.Actors.GarbageCollection;

/// <summary>
/// Decides what a collection deletes, as a pure function of catalogue rows. Rules: an unstriped block with
/// refcount 0 dies; a stripe whose data blocks all have refcount 0 dies whole (data and parity); a stripe with live
/// data blocks keeps its dead ones (the parity needs their bytes to rebuild the live ones) unless it is repacked:
/// when its dead bytes reach the policy's threshold, or when it is undersized and another undersized stripe of the
/// same size class can be merged with it. A block with refcount above 0 is never planned for deletion.
/// </summary>
public static class GcPlanner
{
    /// <summary>The plan for <paramref name="candidates"/> under <paramref name="policy"/>.</summary>
    public static GcPlan Plan(GcCandidates candidates, GcPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        var deadBlocks = new List<GcBlock>();
        var members = new Dictionary<long, List<GcBlock>>();
        foreach (var block in candidates.Blocks)
        {
            if (block.StripeId is { } stripeId)
            {
                if (!members.TryGetValue(stripeId, out var list))
                {
                    members.Add(stripeId, list = []);
                }

                list.Add(block);
            }
            else if (block.IsDead)
            {
                deadBlocks.Add(block);
            }
        }

        var deadStripes = new List<GcStripePlan>();
        var repacks = new List<GcStripePlan>();
        var small = new List<GcStripePlan>();
        var kept = new List<GcBlock>();
        var stripeIds = new HashSet<long>();
        foreach (var stripe in candidates.Stripes.OrderBy(s => s.Id))
        {
            if (!stripeIds.Add(stripe.Id))
            {
                throw new ArgumentException($"stripe {stripe.Id} is listed twice", nameof(candidates));
            }

            var blocks = members.GetValueOrDefault(stripe.Id) ?? [];
            var plan = new GcStripePlan(stripe, blocks.Where(b => !b.IsDead).ToList(), blocks.Where(b => b.IsDead).ToList());
            if (plan.Live.Count == 0)
            {
                deadStripes.Add(plan);
            }
            else if (plan.Dead.Count > 0 && plan.DeadBytes >= policy.RepackThreshold * plan.DataBytes)
            {
                repacks.Add(plan);
            }
            else if (policy.RepackSmall && policy.IsUndersized(stripe.K))
            {
                small.Add(plan);
            }
            else
            {
                kept.AddRange(plan.Dead);
            }
        }

        // One undersized stripe repacked alone would come out just as small, and new stripes group blocks by size
        // class (StripeAssembler): merge undersized stripes class by class, only where a class has several, and only
        // when it pays: merging rewrites the parity, so the bytes it frees must be at least half what it writes (two
        // 1-block stripes merge; a 9-block stripe and a 1-block one do not, every gc, after each small add).
        foreach (var sameClass in small.GroupBy(s => StripeAssembler.SizeClassOf((int)s.Live.Max(b => b.StoredSize))))
        {
            var stripes = sameClass.ToList();
            if (stripes.Count >= 2 && MergingPays(stripes, policy))
            {
                repacks.AddRange(stripes);
            }
            else
            {
                kept.AddRange(stripes.SelectMany(s => s.Dead));
            }
        }

        // Blocks naming a stripe the candidates do not hold: the stripe's state is unknown, so nothing is deleted.
        kept.AddRange(members.Where(m => !stripeIds.Contains(m.Key)).SelectMany(m => m.Value).Where(b => b.IsDead));
        return new GcPlan(deadBlocks, deadStripes, repacks, kept);
    }

    // Freed: the old parity and dead blocks of the merged stripes. Written: the new parity, estimated as the
    // policy's m shards as long as the longest block of each new stripe (live blocks grouped by size).
    private static bool MergingPays(List<GcStripePlan> small, GcPolicy policy)
    {
        var freed = small.Sum(s => s.Stripe.Parity.Sum(p => p.Bytes) + s.DeadBytes);
        var written = small.SelectMany(s => s.Live).Select(b => b.StoredSize).OrderDescending()
            .Chunk(policy.PolicyDataShards).Sum(group => group[0] * policy.PolicyParityShards);
        return 2 * (freed - written) >= written;
    }
}

using FsCheck;
using FsCheck.Fluent;
using Isg.Actors.GarbageCollection;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Tests.GarbageCollection;

public sealed class GcPlannerTests
{
    private static int s_nextId;

    private static GcBlock Block(long refcount, long size = 100, long? stripe = null)
    {
        var id = Interlocked.Increment(ref s_nextId);
        var bytes = new byte[32];
        BitConverter.TryWriteBytes(bytes, id);
        var blockId = BlockId.FromBytes(bytes);
        return new GcBlock(blockId, refcount, size, stripe, [new GcObject("local", blockId.ToHex(), size)]);
    }

    private static GcStripe Stripe(long id, int k, int m = 2, long paritySize = 100) =>
        new(id, k, m, Enumerable.Range(0, m).Select(i => new GcObject("local", $"parity{id:D8}x{i:D8}", paritySize)).ToList());

    /// <summary>Random catalogue rows from <paramref name="seed"/>: unstriped blocks and stripes of 1..12 data blocks, refcounts 0..2.</summary>
    private static GcCandidates RandomCandidates(int seed)
    {
        var random = new Random(seed);
        var blocks = new List<GcBlock>();
        var stripes = new List<GcStripe>();
        for (var i = random.Next(0, 20); i > 0; i--)
        {
            blocks.Add(Block(random.Next(0, 3), random.Next(1, 5000)));
        }

        for (var s = 1; s <= random.Next(0, 12); s++)
        {
            var k = random.Next(1, 13);
            stripes.Add(Stripe(s, k));
            // Bias towards dead blocks so that dead and repacked stripes are common.
            var deadBias = random.NextDouble();
            for (var i = 0; i < k; i++)
            {
                blocks.Add(Block(random.NextDouble() < deadBias ? 0 : random.Next(1, 3), random.Next(1, 5000), s));
            }
        }

        return new GcCandidates(blocks.OrderBy(_ => random.Next()).ToList(), stripes);
    }

    private static IEnumerable<GcBlock> Deleted(GcPlan plan) =>
        plan.DeadBlocks.Concat(plan.DeadStripes.SelectMany(s => s.Dead.Concat(s.Live))).Concat(plan.Repacks.SelectMany(r => r.Dead));

    private static Arbitrary<int> Seeds => Gen.Choose(0, int.MaxValue).ToArbitrary();

    private static Arbitrary<GcPolicy> Policies =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            return new GcPolicy(random.Next(1, 101) / 100.0, random.Next(1, 17), random.Next(2) == 0);
        }).ToArbitrary();

    [Fact]
    public void Plan_RandomRows_NeverDeletesAReferencedBlock()
    {
        Prop.ForAll(Seeds, Policies, (seed, policy) =>
            Deleted(GcPlanner.Plan(RandomCandidates(seed), policy)).All(b => b.Refcount == 0)).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plan_RandomRows_DeletesADataShardOnlyWhenItsStripeDiesOrIsRepacked()
    {
        Prop.ForAll(Seeds, Policies, (seed, policy) =>
        {
            var candidates = RandomCandidates(seed);
            var plan = GcPlanner.Plan(candidates, policy);
            var live = candidates.Blocks.Where(b => b.StripeId is not null && b.Refcount > 0).Select(b => b.StripeId!.Value).ToHashSet();
            var repacked = plan.Repacks.Select(r => r.Stripe.Id).ToHashSet();
            return plan.DeadBlocks.All(b => b.StripeId is null)
                && plan.DeadStripes.All(s => !live.Contains(s.Stripe.Id) && s.Live.Count == 0)
                && plan.Repacks.All(r => r.Live.All(b => b.Refcount > 0) && r.Live.Count + r.Dead.Count == candidates.Blocks.Count(b => b.StripeId == r.Stripe.Id))
                && Deleted(plan).Where(b => b.StripeId is { } s && live.Contains(s)).All(b => repacked.Contains(b.StripeId!.Value));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plan_RandomRows_AccountsForEveryDeadBlockExactlyOnce()
    {
        Prop.ForAll(Seeds, Policies, (seed, policy) =>
        {
            var candidates = RandomCandidates(seed);
            var plan = GcPlanner.Plan(candidates, policy);
            var accounted = Deleted(plan).Concat(plan.Kept).Select(b => b.Id).ToList();
            var dead = candidates.Blocks.Where(b => b.IsDead).Select(b => b.Id).Order().ToList();
            return accounted.Count == accounted.Distinct().Count() && accounted.Order().SequenceEqual(dead);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plan_RandomRows_RepacksOnlyAboveTheThresholdOrUndersized()
    {
        Prop.ForAll(Seeds, Policies, (seed, policy) =>
        {
            var plan = GcPlanner.Plan(RandomCandidates(seed), policy);
            return plan.Repacks.All(r => r.Live.Count > 0
                && ((r.Dead.Count > 0 && r.DeadBytes >= policy.RepackThreshold * r.DataBytes) || (policy.RepackSmall && policy.IsUndersized(r.Stripe.K))));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plan_UnstripedBlocks_DeletesOnlyTheUnreferenced()
    {
        var dead = Block(0);
        var live = Block(1);

        var plan = GcPlanner.Plan(new GcCandidates([dead, live], []), new GcPolicy());

        Assert.Equal([dead], plan.DeadBlocks);
        Assert.Empty(plan.Kept);
    }

    [Fact]
    public void Plan_StripeWithEveryDataBlockDead_DiesWhole()
    {
        var blocks = Enumerable.Range(0, 4).Select(_ => Block(0, stripe: 7)).ToList();

        var plan = GcPlanner.Plan(new GcCandidates(blocks, [Stripe(7, 4)]), new GcPolicy(PolicyDataShards: 4));

        var stripe = Assert.Single(plan.DeadStripes);
        Assert.Equal(7, stripe.Stripe.Id);
        Assert.Equal(blocks, stripe.Dead);
        Assert.Empty(plan.DeadBlocks);
    }

    [Fact]
    public void Plan_StripeBelowTheThreshold_KeepsItsDeadBlocks()
    {
        // 2 dead of 10 equal blocks: 20 % < 50 %.
        var blocks = Enumerable.Range(0, 10).Select(i => Block(i < 2 ? 0 : 1, stripe: 3)).ToList();

        var plan = GcPlanner.Plan(new GcCandidates(blocks, [Stripe(3, 10)]), new GcPolicy());

        Assert.True(plan.IsEmpty);
        Assert.Equal(blocks.Take(2), plan.Kept);
    }

    [Fact]
    public void Plan_StripeAtTheThreshold_IsRepacked()
    {
        var blocks = Enumerable.Range(0, 10).Select(i => Block(i < 5 ? 0 : 1, stripe: 3)).ToList();

        var plan = GcPlanner.Plan(new GcCandidates(blocks, [Stripe(3, 10)]), new GcPolicy(RepackThreshold: 0.5));

        var repack = Assert.Single(plan.Repacks);
        Assert.Equal(blocks.Take(5), repack.Dead);
        Assert.Equal(blocks.Skip(5), repack.Live);
    }

    [Fact]
    public void Plan_OneUndersizedStripe_IsNotRepackedAlone()
    {
        var blocks = new[] { Block(1, stripe: 1), Block(0, size: 1, stripe: 1) };

        var alone = GcPlanner.Plan(new GcCandidates(blocks, [Stripe(1, 2)]), new GcPolicy(0.9, 10, RepackSmall: true));
        var pair = GcPlanner.Plan(new GcCandidates([.. blocks, Block(1, stripe: 2)], [Stripe(1, 2), Stripe(2, 1)]), new GcPolicy(0.9, 10, RepackSmall: true));

        Assert.Empty(alone.Repacks);
        Assert.Equal([1L, 2L], pair.Repacks.Select(r => r.Stripe.Id));
    }

    [Fact]
    public void Plan_UndersizedStripesWhoseMergeFreesLittle_AreKept()
    {
        // A stripe of four 1000-byte blocks and one of a 10-byte block: merging would rewrite 2000 bytes of parity
        // to free 20.
        var big = Enumerable.Range(0, 4).Select(_ => Block(1, size: 1000, stripe: 1)).ToArray();
        var tiny = Block(1, size: 10, stripe: 2);

        var plan = GcPlanner.Plan(new GcCandidates([.. big, tiny], [Stripe(1, 4, paritySize: 1000), Stripe(2, 1, paritySize: 10)]),
            new GcPolicy(0.5, 10, RepackSmall: true, PolicyParityShards: 2));

        Assert.Empty(plan.Repacks);
    }

    [Fact]
    public void Plan_UndersizedStripesOfDifferentSizeClasses_AreNotMerged()
    {
        // New stripes group blocks by size class, so merging these would give the same two stripes again, every gc.
        var small = Block(1, size: 1_000, stripe: 1);
        var large = Block(1, size: 300_000, stripe: 2);

        var plan = GcPlanner.Plan(new GcCandidates([small, large], [Stripe(1, 1, paritySize: 1_000), Stripe(2, 1, paritySize: 300_000)]),
            new GcPolicy(0.5, 10, RepackSmall: true, PolicyParityShards: 2));

        Assert.Empty(plan.Repacks);
    }

    [Fact]
    public void Plan_BlockOfAStripeNotInTheCandidates_IsKept()
    {
        var orphaned = Block(0, stripe: 99);

        var plan = GcPlanner.Plan(new GcCandidates([orphaned], []), new GcPolicy());

        Assert.True(plan.IsEmpty);
        Assert.Equal([orphaned], plan.Kept);
    }

    [Fact]
    public void Plan_ThresholdOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GcPlanner.Plan(GcCandidates.Empty, new GcPolicy(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => GcPlanner.Plan(GcCandidates.Empty, new GcPolicy(1.5)));
    }
}

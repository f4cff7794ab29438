using System.Collections.Concurrent;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Isg.Actors.Striping;
using Isg.Protocol.Erasure;
using Isg.Protocol.Hashing;
using Isg.Protocol.Keys;
using Isg.TestKit;

namespace Isg.Actors.Tests.Striping;

public sealed class StripeAssemblerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LocalBlockStore[] _stores;
    private readonly BackendSet _backends;
    private readonly RepositoryKey _key = RepositoryKey.Generate();

    public StripeAssemblerTests()
    {
        _stores = new[] { "a", "b", "c" }.Select(n => new LocalBlockStore(new LocalBlockStoreOptions(_dir.Combine(n)) { Name = n })).ToArray();
        _backends = new BackendSet(_stores);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _key.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ReportAsync_KBlocksStored_LastReportSealsAStripeWhoseParityIsTheCodecOutput()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(4, 2), _backends, _key);
        var blocks = Enumerable.Range(0, 4).Select(i => SampleData.RandomBytes(1000 + (i * 37), seed: i)).ToArray();
        var slots = blocks.Select(b => assembler.Reserve(BlockId.Compute(b), b)).ToArray();
        Assert.Equal([0, 1, 2, 3], slots.Select(s => s.Index).ToArray());
        Assert.Equal(["a", "b", "c", "a"], slots.Select(s => s.Backend.Name).ToArray());

        SealedStripe? stripe = null;
        foreach (var slot in slots)
        {
            Assert.Null(stripe);
            stripe = await assembler.ReportAsync(slot, stored: true, CancellationToken.None);
        }

        Assert.NotNull(stripe);
        Assert.Equal((4, 2, 1000 + (3 * 37)), (stripe.K, stripe.M, stripe.ShardSize));
        Assert.Equal(blocks.Select(b => BlockId.Compute(b)).ToArray(), stripe.DataBlocks.ToArray());
        var expected = ExpectedParity(blocks, 2, stripe.ShardSize);
        for (var j = 0; j < 2; j++)
        {
            var parity = stripe.Parity[j];
            Assert.Equal(4 + j, parity.Index);
            Assert.Equal(_backends.All[(4 + j) % 3].Name, parity.Backend);
            using var stored = await _backends.Get(parity.Backend).GetAsync(parity.ObjectName, CancellationToken.None);
            Assert.Equal(expected[j], stored.Memory.ToArray());
            Assert.Equal(Hash256.Compute(expected[j]), parity.Hash.Hash);
        }
    }

    [Fact]
    public async Task NextBackends_BeforeReserving_NamesTheBackendsReserveThenUses()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(4, 2), _backends, _key);
        var small = SampleData.RandomBytes(1000, seed: 1);
        var large = SampleData.RandomBytes(300_000, seed: 2);
        var first = assembler.Reserve(BlockId.Compute(small), small);

        var smallNext = assembler.NextBackends(small.Length, 3).Select(b => b.Name).ToArray();
        var largeNext = assembler.NextBackends(large.Length, 2).Select(b => b.Name).ToArray();
        var smallSlots = Enumerable.Range(10, 3).Select(i => SampleData.RandomBytes(1000, seed: i))
            .Select(b => assembler.Reserve(BlockId.Compute(b), b)).ToArray();
        var largeSlots = Enumerable.Range(20, 2).Select(i => SampleData.RandomBytes(300_000, seed: i))
            .Select(b => assembler.Reserve(BlockId.Compute(b), b)).ToArray();

        Assert.Equal(smallSlots.Select(s => s.Backend.Name), smallNext);
        Assert.Equal(largeSlots.Select(s => s.Backend.Name), largeNext);
        Assert.Throws<ArgumentOutOfRangeException>(() => assembler.NextBackends(large.Length, 3));
        foreach (var slot in smallSlots.Prepend(first).Concat(largeSlots))
        {
            await assembler.ReportAsync(slot, stored: true, CancellationToken.None);
        }
    }

    [Fact]
    public async Task CloseAsync_PartialStripe_SealsItWithKPrimeBlocks()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(4, 2), _backends, _key);
        var blocks = Enumerable.Range(0, 6).Select(i => SampleData.RandomBytes(500 + i, seed: 10 + i)).ToArray();
        var sealedStripes = new List<SealedStripe>();
        foreach (var block in blocks)
        {
            if (await assembler.ReportAsync(assembler.Reserve(BlockId.Compute(block), block), true, CancellationToken.None) is { } s)
            {
                sealedStripes.Add(s);
            }
        }

        var last = Assert.Single(await assembler.CloseAsync(CancellationToken.None));

        Assert.Single(sealedStripes);
        Assert.Equal((2, 2), (last.K, last.M));
        Assert.Equal(blocks[4..].Select(b => BlockId.Compute(b)).ToArray(), last.DataBlocks.ToArray());
        Assert.Equal([2, 3], last.Parity.Select(p => p.Index).ToArray());
        Assert.Empty(await assembler.CloseAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReportAsync_FailedPut_DropsTheStripe()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(2, 1), _backends, _key);
        var a = SampleData.RandomBytes(100, seed: 1);
        var b = SampleData.RandomBytes(100, seed: 2);
        var slotA = assembler.Reserve(BlockId.Compute(a), a);
        var slotB = assembler.Reserve(BlockId.Compute(b), b);

        Assert.Null(await assembler.ReportAsync(slotA, false, CancellationToken.None));
        Assert.Null(await assembler.ReportAsync(slotB, true, CancellationToken.None));
        Assert.Equal(1, assembler.FailedStripes);
    }

    [Fact]
    public async Task ReportAsync_ConcurrentEncoders_EveryBlockLandsInExactlyOneStripe()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(5, 2), _backends, _key);
        var sealedStripes = new ConcurrentBag<SealedStripe>();
        var blocks = Enumerable.Range(0, 203).Select(i => SampleData.RandomBytes(64 + (i % 50), seed: 1000 + i)).ToArray();
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (block, token) =>
        {
            var slot = assembler.Reserve(BlockId.Compute(block), block);
            await Task.Yield();
            if (await assembler.ReportAsync(slot, true, token) is { } stripe)
            {
                sealedStripes.Add(stripe);
            }
        });
        foreach (var last in await assembler.CloseAsync(CancellationToken.None))
        {
            sealedStripes.Add(last);
        }

        Assert.Equal(41, sealedStripes.Count);
        Assert.Equal(40, sealedStripes.Count(s => s.K == 5));
        var ids = sealedStripes.SelectMany(s => s.DataBlocks).ToList();
        Assert.Equal(blocks.Select(b => BlockId.Compute(b)).ToHashSet(), ids.ToHashSet());
        Assert.Equal(blocks.Length, ids.Count);
    }

    [Fact]
    public void SizeClassOf_Lengths_MonotonicWithBoundsGrowingByTheClassFactor()
    {
        Assert.Equal(0, StripeAssembler.SizeClassOf(0));
        Assert.Equal(0, StripeAssembler.SizeClassOf((64 * 1024) - 1));
        Assert.Equal(1, StripeAssembler.SizeClassOf(64 * 1024));
        Assert.Equal(StripeAssembler.ClassCount - 1, StripeAssembler.SizeClassOf((4 << 20) + 100));
        Assert.Equal(StripeAssembler.ClassCount - 1, StripeAssembler.SizeClassOf(int.MaxValue));
        Assert.NotEqual(StripeAssembler.SizeClassOf(256 * 1024), StripeAssembler.SizeClassOf(1 << 20));
        var previous = 0;
        var lowerBound = 0;
        for (var length = 1; length < (8 << 20); length += 997)
        {
            var size = StripeAssembler.SizeClassOf(length);
            Assert.InRange(size, previous, previous + 1);
            if (size > previous)
            {
                // Between the first and the last class, each class spans at most the growth factor.
                Assert.True(previous == 0 || length <= (lowerBound * StripeAssembler.ClassGrowth) + 997, $"class {previous} spans {lowerBound}..{length}");
                lowerBound = length;
            }

            previous = size;
        }
    }

    [Fact]
    public async Task Reserve_VeryDifferentSizes_LandInDifferentStripes()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(3, 1), _backends, _key);
        var source = SampleData.RandomBytes(2 << 20, seed: 7);
        // Small and large blocks interleaved: one open stripe would pad every small one to the large size.
        var blocks = Enumerable.Range(0, 6).Select(i => source.AsSpan(i, i % 2 == 0 ? 2000 : (1 << 20) + i).ToArray()).ToArray();
        var slots = blocks.Select(b => assembler.Reserve(BlockId.Compute(b), b)).ToArray();
        var sealedStripes = new List<SealedStripe>();
        foreach (var slot in slots)
        {
            if (await assembler.ReportAsync(slot, true, CancellationToken.None) is { } stripe)
            {
                sealedStripes.Add(stripe);
            }
        }

        Assert.Equal(2, sealedStripes.Count);
        Assert.Equal(2, slots.Select(s => s.Sequence).Distinct().Count());
        Assert.Equal([0, 0, 1, 1, 2, 2], slots.Select(s => s.Index).ToArray());
        var small = Assert.Single(sealedStripes, s => s.ShardSize == 2000);
        Assert.Equal(blocks.Where(b => b.Length == 2000).Select(b => BlockId.Compute(b)).ToArray(), small.DataBlocks.ToArray());
        var large = Assert.Single(sealedStripes, s => s.ShardSize == (1 << 20) + 5);
        Assert.Equal(blocks.Where(b => b.Length > 2000).Select(b => BlockId.Compute(b)).ToArray(), large.DataBlocks.ToArray());
        Assert.Empty(await assembler.CloseAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReportAsync_ChunkerSizeDistribution_ParityOverheadNearMOverK()
    {
        // Sizes as FastCDC spreads them (256 KiB .. 4 MiB, most near the 1 MiB average), in arrival order.
        var random = new Random(42);
        var sizes = Enumerable.Range(0, 120).Select(_ => (int)Math.Clamp((1 << 20) * Math.Exp(random.NextDouble() * 1.6 - 0.8) * (random.Next(4) == 0 ? 1.8 : 1), 256 * 1024, 4 << 20)).ToArray();
        var source = SampleData.RandomBytes((4 << 20) + 200, seed: 3);
        var blocks = sizes.Select((size, i) => new ReadOnlyMemory<byte>(source, i, size)).ToArray();
        var lengths = new Dictionary<BlockId, int>();
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(10, 2), _backends, _key);
        var sealedStripes = new List<SealedStripe>();
        foreach (var block in blocks)
        {
            var id = BlockId.Compute(block.Span);
            lengths[id] = block.Length;
            if (await assembler.ReportAsync(assembler.Reserve(id, block.Span), true, CancellationToken.None) is { } stripe)
            {
                sealedStripes.Add(stripe);
            }
        }

        var full = sealedStripes.Where(s => s.K == 10).ToList();
        Assert.NotEmpty(full);
        foreach (var stripe in full)
        {
            // Padding within a class is bounded by its growth factor.
            Assert.True(stripe.ShardSize <= stripe.DataBlocks.Min(b => lengths[b]) * StripeAssembler.ClassGrowth, $"stripe shard size {stripe.ShardSize}");
        }

        var data = full.Sum(s => s.DataBlocks.Sum(b => (long)lengths[b]));
        var parity = full.Sum(s => (long)s.ShardSize * s.M);
        var oneOpenStripe = sizes.Chunk(10).Where(c => c.Length == 10).Sum(c => 2L * c.Max()) / (double)sizes.Chunk(10).Where(c => c.Length == 10).Sum(c => c.Sum(x => (long)x));
        Assert.True((double)parity / data < 0.2 * 1.2, $"parity overhead {(double)parity / data:0.000}");
        Assert.True((double)parity / data < oneOpenStripe, $"parity overhead {(double)parity / data:0.000} vs {oneOpenStripe:0.000} with one open stripe");

        sealedStripes.AddRange(await assembler.CloseAsync(CancellationToken.None));
        Assert.Equal(blocks.Length, sealedStripes.Sum(s => s.K));
    }

    [Fact]
    public async Task ReportAsync_ConcurrentEncodersSeveralClasses_EachClassFillsItsOwnStripesAndCloseEndsEveryPartialOne()
    {
        using var assembler = new StripeAssembler(RedundancyPolicy.Of(5, 2), _backends, _key);
        var source = SampleData.RandomBytes(300 * 1024, seed: 11);
        int[] classSizes = [1000, 70 * 1024, 200 * 1024];
        var blocks = Enumerable.Range(0, 3 * 67).Select(i => source.AsSpan(i, classSizes[i % 3] + (i / 3)).ToArray()).ToArray();
        var sealedStripes = new ConcurrentBag<SealedStripe>();
        var slots = new ConcurrentBag<(StripeSlot Slot, int Length)>();
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (block, token) =>
        {
            var slot = assembler.Reserve(BlockId.Compute(block), block);
            slots.Add((slot, block.Length));
            await Task.Yield();
            if (await assembler.ReportAsync(slot, true, token) is { } stripe)
            {
                sealedStripes.Add(stripe);
            }
        });
        var closed = await assembler.CloseAsync(CancellationToken.None);

        Assert.Equal(3, closed.Count);
        Assert.All(closed, s => Assert.Equal(2, s.K));
        Assert.Equal(39, sealedStripes.Count);
        Assert.All(sealedStripes, s => Assert.Equal(5, s.K));
        foreach (var stripe in slots.GroupBy(s => s.Slot.Sequence))
        {
            Assert.Single(stripe.Select(s => StripeAssembler.SizeClassOf(s.Length)).Distinct());
            Assert.Equal(Enumerable.Range(0, stripe.Count()), stripe.Select(s => s.Slot.Index).Order());
        }

        var ids = sealedStripes.Concat(closed).SelectMany(s => s.DataBlocks).ToList();
        Assert.Equal(blocks.Select(b => BlockId.Compute(b)).ToHashSet(), ids.ToHashSet());
        Assert.Equal(blocks.Length, ids.Count);
        Assert.Empty(await assembler.CloseAsync(CancellationToken.None));
    }

    private static byte[][] ExpectedParity(byte[][] blocks, int m, int shardSize)
    {
        var data = blocks.Select(b =>
        {
            var padded = new byte[shardSize];
            b.CopyTo(padded, 0);
            return (ReadOnlyMemory<byte>)padded;
        }).ToArray();
        var parity = Enumerable.Range(0, m).Select(_ => new byte[shardSize]).ToArray();
        ReedSolomonCodec.Create(blocks.Length, m).Encode(data, parity.Select(p => (Memory<byte>)p).ToArray());
        return parity;
    }
}

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

        var last = await assembler.CloseAsync(CancellationToken.None);

        Assert.Single(sealedStripes);
        Assert.NotNull(last);
        Assert.Equal((2, 2), (last.K, last.M));
        Assert.Equal(blocks[4..].Select(b => BlockId.Compute(b)).ToArray(), last.DataBlocks.ToArray());
        Assert.Equal([2, 3], last.Parity.Select(p => p.Index).ToArray());
        Assert.Null(await assembler.CloseAsync(CancellationToken.None));
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
        if (await assembler.CloseAsync(CancellationToken.None) is { } last)
        {
            sealedStripes.Add(last);
        }

        Assert.Equal(41, sealedStripes.Count);
        Assert.Equal(40, sealedStripes.Count(s => s.K == 5));
        var ids = sealedStripes.SelectMany(s => s.DataBlocks).ToList();
        Assert.Equal(blocks.Select(b => BlockId.Compute(b)).ToHashSet(), ids.ToHashSet());
        Assert.Equal(blocks.Length, ids.Count);
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

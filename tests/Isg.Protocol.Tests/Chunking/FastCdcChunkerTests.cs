using Isg.TestKit;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Chunking;

namespace Isg.Protocol.Tests.Chunking;

public sealed class FastCdcChunkerTests
{
    private const int MiB = 1024 * 1024;

    // Small sizes so that kilobytes of data give many chunks, MaxSize cuts included.
    private static readonly ChunkerOptions s_small = new(64, 256, 1024);

    private static readonly FastCdcChunker s_default = new(ChunkerOptions.Default, GearTable.Default);

    private static readonly Lazy<byte[]> s_random64MiB = new(() => ChunkerTestData.RandomBytes(64 * MiB, 42));

    [Fact]
    public void FindCutPoint_64MiBRandom_SizesWithinBoundsAndAverageNearTarget()
    {
        var data = s_random64MiB.Value;
        var lengths = ChunkerTestData.ChunkWhole(s_default, data);

        Assert.Equal(data.Length, lengths.Sum(l => (long)l));
        Assert.All(lengths[..^1], l => Assert.InRange(l, ChunkerOptions.Default.MinSize, ChunkerOptions.Default.MaxSize));
        Assert.InRange(lengths[^1], 1, ChunkerOptions.Default.MaxSize);
        var average = lengths[..^1].Average();
        Assert.InRange(average, 0.75 * MiB, 1.25 * MiB);
    }

    [Fact]
    public void FindCutPoint_SmallOptionsRandom_SizesWithinBoundsIncludingMaxCuts()
    {
        var options = new ChunkerOptions(100, 128, 300);
        var chunker = new FastCdcChunker(options, GearTable.Default);
        var lengths = ChunkerTestData.ChunkWhole(chunker, ChunkerTestData.RandomBytes(200_000, 3));

        Assert.All(lengths[..^1], l => Assert.InRange(l, options.MinSize, options.MaxSize));
        Assert.Contains(options.MaxSize, lengths);
        Assert.Contains(lengths[..^1], l => l < options.MaxSize);
    }

    [Fact]
    public void FindCutPoint_AllZeros_CutsAtMaxSize()
    {
        var lengths = ChunkerTestData.ChunkWhole(s_default, new byte[(9 * MiB) + 5]);
        Assert.Equal([4 * MiB, 4 * MiB, MiB + 5], lengths);
    }

    [Fact]
    public void FindCutPoint_RandomBuffers_MatchByteAtATimeReference()
    {
        var chunker = new FastCdcChunker(s_small, GearTable.Default);
        var gen = from seed in Gen.Choose(0, int.MaxValue)
                  from length in Gen.Choose(0, 3000)
                  from isFinal in Gen.Elements(true, false)
                  select (seed, length, isFinal);
        Prop.ForAll(gen.ToArbitrary(), sample =>
        {
            var data = ChunkerTestData.RandomBytes(sample.length, sample.seed);
            var expected = ChunkerTestData.ReferenceCut(data, s_small, GearTable.Default, sample.isFinal);
            return chunker.FindCutPoint(data, sample.isFinal) == expected;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(64, 256, 1024)]
    [InlineData(101, 256, 1001)]
    [InlineData(200, 512, 777)]
    public void FindCutPoint_WholeBuffer_SameChunksAsReference(int min, int average, int max)
    {
        // Thousands of chunks, so every region edge (Min, the normal point, Max) and both scan parities are crossed often.
        var options = new ChunkerOptions(min, average, max);
        var chunker = new FastCdcChunker(options, GearTable.Default);
        ReadOnlySpan<byte> data = ChunkerTestData.RandomBytes(2 * MiB, min);
        var expected = new List<int>();
        for (var rest = data; !rest.IsEmpty;)
        {
            var cut = ChunkerTestData.ReferenceCut(rest, options, GearTable.Default, isFinal: true);
            expected.Add(cut);
            rest = rest[cut..];
        }

        Assert.Equal(expected, ChunkerTestData.ChunkWhole(chunker, data));
    }

    [Fact]
    public void FindCutPoint_EveryPrefix_MatchesReference()
    {
        // Every length and both parities of the scan ends, including lengths at and around Min, Average and Max.
        var chunker = new FastCdcChunker(s_small, GearTable.Default);
        var data = ChunkerTestData.RandomBytes(1100, 11);
        for (var length = 0; length <= data.Length; length++)
        {
            foreach (var isFinal in new[] { false, true })
            {
                var prefix = data.AsSpan(0, length);
                Assert.Equal(ChunkerTestData.ReferenceCut(prefix, s_small, GearTable.Default, isFinal), chunker.FindCutPoint(prefix, isFinal));
            }
        }
    }

    [Fact]
    public void FindCutPoint_DefaultOptions_MatchesReferenceOnFirstChunks()
    {
        var data = s_random64MiB.Value.AsSpan(0, 16 * MiB);
        for (var i = 0; i < 6; i++)
        {
            var expected = ChunkerTestData.ReferenceCut(data, ChunkerOptions.Default, GearTable.Default, isFinal: true);
            Assert.Equal(expected, s_default.FindCutPoint(data, isFinal: true));
            data = data[expected..];
        }
    }

    [Theory]
    [InlineData(0, true, 0)]
    [InlineData(0, false, 0)]
    [InlineData(63, false, 0)]
    [InlineData(63, true, 63)]
    [InlineData(1023, false, 0)]
    [InlineData(1023, true, 1023)]
    [InlineData(1024, false, 1024)]
    [InlineData(5000, false, 1024)]
    public void FindCutPoint_ZerosOfLength_ReturnsContractedValue(int length, bool isFinal, int expected)
    {
        // The zero byte's hash never satisfies the masks (checked by the all-zeros test), so only the edges matter.
        var chunker = new FastCdcChunker(s_small, GearTable.Default);
        Assert.Equal(expected, chunker.FindCutPoint(new byte[length], isFinal));
        Assert.Equal(1024, chunker.MaxChunkSize);
    }

    [Fact]
    public void FindCutPoint_StreamedInArbitraryPieces_SameAsWhole()
    {
        var chunker = new FastCdcChunker(s_small, GearTable.Default);
        var gen = from dataSeed in Gen.Choose(0, int.MaxValue)
                  from length in Gen.Choose(0, 20_000)
                  from splitSeed in Gen.Choose(0, int.MaxValue)
                  from maxPiece in Gen.Choose(1, 3000)
                  select (dataSeed, length, splitSeed, maxPiece);
        Prop.ForAll(gen.ToArbitrary(), sample =>
        {
            var data = ChunkerTestData.RandomBytes(sample.length, sample.dataSeed);
            var whole = ChunkerTestData.ChunkWhole(chunker, data);
            var streamed = ChunkerTestData.ChunkStreamed(chunker, data, new Random(sample.splitSeed), sample.maxPiece);
            return whole.SequenceEqual(streamed);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void FindCutPoint_DefaultOptionsStreamed_SameAsWhole()
    {
        var data = s_random64MiB.Value.AsSpan(0, 24 * MiB).ToArray();
        var whole = ChunkerTestData.ChunkWhole(s_default, data);
        foreach (var (seed, maxPiece) in new[] { (1, 64 * 1024), (2, MiB), (3, 5 * MiB) })
        {
            Assert.Equal(whole, ChunkerTestData.ChunkStreamed(s_default, data, new Random(seed), maxPiece));
        }
    }

    [Fact]
    public void FindCutPoint_SingleByteEditInMiddle_OnlyNearbyChunksChange()
    {
        var original = s_random64MiB.Value.AsSpan(0, 32 * MiB).ToArray();
        var edited = (byte[])original.Clone();
        var at = 16 * MiB + 12345;
        edited[at] ^= 0x5A;
        AssertResynchronised(original, edited, at, removed: 1, inserted: 1);
    }

    [Fact]
    public void FindCutPoint_Insert4KiBAtStart_OnlyNearbyChunksChange()
    {
        var original = s_random64MiB.Value.AsSpan(0, 32 * MiB).ToArray();
        var insert = ChunkerTestData.RandomBytes(4096, 77);
        AssertResynchronised(original, [.. insert, .. original], 0, removed: 0, inserted: insert.Length);
    }

    [Fact]
    public void FindCutPoint_InsertInMiddle_OnlyNearbyChunksChange()
    {
        var original = s_random64MiB.Value.AsSpan(0, 32 * MiB).ToArray();
        var insert = ChunkerTestData.RandomBytes(3000, 78);
        var at = (15 * MiB) + 777;
        AssertResynchronised(original, [.. original.AsSpan(0, at), .. insert, .. original.AsSpan(at)], at, removed: 0, inserted: insert.Length);
    }

    [Fact]
    public void FindCutPoint_KeyedTable_DifferentCutsThanDefault()
    {
        var seed = Enumerable.Range(0, GearTable.SeedLength).Select(i => (byte)(i * 7)).ToArray();
        var keyed = new FastCdcChunker(ChunkerOptions.Default, GearTable.FromSeed(seed));
        var data = s_random64MiB.Value.AsSpan(0, 16 * MiB);

        var defaultCuts = Offsets(ChunkerTestData.ChunkWhole(s_default, data));
        var keyedCuts = Offsets(ChunkerTestData.ChunkWhole(keyed, data));

        Assert.NotEqual(defaultCuts, keyedCuts);
        // Apart from the end of the data, independent tables share essentially no cut offsets.
        Assert.True(defaultCuts.Intersect(keyedCuts).Count() <= 2, "keyed and default tables share cut offsets");
    }

    [Fact]
    public void FindCutPoint_ConcurrentCallers_SameResults()
    {
        var chunker = new FastCdcChunker(s_small, GearTable.Default);
        var data = ChunkerTestData.RandomBytes(200_000, 8);
        var expected = ChunkerTestData.ChunkWhole(chunker, data);
        var results = new List<int>[4];
        Parallel.For(0, results.Length, i => results[i] = ChunkerTestData.ChunkWhole(chunker, data));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Ctor_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new FastCdcChunker(null!, GearTable.Default));
        Assert.Throws<ArgumentNullException>(() => new FastCdcChunker(ChunkerOptions.Default, null!));
    }

    private static List<long> Offsets(List<int> lengths)
    {
        var offsets = new List<long>(lengths.Count);
        long offset = 0;
        foreach (var length in lengths)
        {
            offset += length;
            offsets.Add(offset);
        }

        return offsets;
    }

    // Replaces `removed` bytes at `at` of the original with `inserted` bytes; chunks (as original offset and length) further
    // than one MaxSize from the edit must be shared, and at most three chunks of the edited data may be new.
    private static void AssertResynchronised(byte[] original, byte[] edited, int at, int removed, int inserted)
    {
        Assert.Equal(original.Length - removed + inserted, edited.Length);
        var max = ChunkerOptions.Default.MaxSize;
        var delta = inserted - removed;

        var originalChunks = new HashSet<(long Offset, int Length)>();
        long offset = 0;
        foreach (var length in ChunkerTestData.ChunkWhole(s_default, original))
        {
            originalChunks.Add((offset, length));
            offset += length;
        }

        // Edited chunks in original coordinates; chunks touching the edited range map to nothing comparable.
        var editedChunks = new HashSet<(long Offset, int Length)>();
        var changed = 0;
        offset = 0;
        foreach (var length in ChunkerTestData.ChunkWhole(s_default, edited))
        {
            var end = offset + length;
            (long, int)? mapped = end <= at ? (offset, length) : offset >= at + inserted ? (offset - delta, length) : null;
            if (mapped is { } chunk && originalChunks.Contains(chunk))
            {
                editedChunks.Add(chunk);
            }
            else
            {
                changed++;
            }

            offset = end;
        }

        Assert.InRange(changed, 1, 3);
        foreach (var chunk in originalChunks)
        {
            var farBefore = chunk.Offset + chunk.Length <= at - max;
            var farAfter = chunk.Offset >= at + removed + max;
            if (farBefore || farAfter)
            {
                Assert.Contains(chunk, editedChunks);
            }
        }
    }
}

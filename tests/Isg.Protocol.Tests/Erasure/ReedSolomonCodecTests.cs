using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Erasure;

namespace Isg.Protocol.Tests.Erasure;

public sealed class ReedSolomonCodecTests
{
    private static readonly int[] s_lengths = [0, 1, 31, 64, 1000, 65536 + 7];

    [Fact]
    public void IsIsalAvailable_OnTestMachines_IsTrue()
    {
        // test.sh installs libisal2; without it the ISA-L comparisons below would prove nothing.
        Assert.True(ReedSolomonCodec.IsIsalAvailable);
        Assert.Equal(ErasureImplementation.Isal, ReedSolomonCodec.Create(4, 2).Implementation);
    }

    [Fact]
    public void Encode_FourPlusTwo_MatchesIsalKnownAnswer()
    {
        // ec_encode_data from libisal2 2.30.0 over gf_gen_cauchy1_matrix(6, 4); data byte b of shard j is 8j + b + 1.
        byte[][] expected =
        [
            [0x54, 0x34, 0x14, 0xF4, 0xD4, 0xB4, 0x94, 0x7A],
            [0x49, 0x29, 0x09, 0xE9, 0xC9, 0xA9, 0x89, 0x78],
        ];
        foreach (var codec in AllCodecs(4, 2))
        {
            var data = Enumerable.Range(0, 4).Select(j => Enumerable.Range(0, 8).Select(b => (byte)((8 * j) + b + 1)).ToArray()).ToArray();
            var parity = new[] { new byte[8], new byte[8] };

            Encode(codec, data, parity);

            Assert.Equal(expected[0], parity[0]);
            Assert.Equal(expected[1], parity[1]);
        }
    }

    [Fact]
    public void EncodingMatrix_Managed_EqualsIsal()
    {
        foreach (var (k, m) in new[] { (1, 0), (1, 8), (4, 2), (10, 4), (20, 8), (200, 55) })
        {
            var isal = ReedSolomonCodec.Create(k, m, ErasureImplementation.Isal);
            var managed = ReedSolomonCodec.Create(k, m, ErasureImplementation.Managed);

            Assert.Equal(isal.EncodingMatrix.ToArray(), managed.EncodingMatrix.ToArray());
        }
    }

    [Fact]
    public void Encode_EveryImplementation_ByteIdenticalToScalar()
    {
        var random = new Random(1);
        for (var trial = 0; trial < 24; trial++)
        {
            var k = random.Next(1, 21);
            var m = random.Next(0, 9);
            var length = s_lengths[trial % s_lengths.Length];
            var data = RandomShards(random, k, length);
            var expected = Shards(m, length);
            Encode(ReedSolomonCodec.CreateManaged(k, m, GaloisKernel.Scalar), data, expected);

            foreach (var codec in AllCodecs(k, m))
            {
                var parity = Shards(m, length);
                Encode(codec, data, parity);
                for (var r = 0; r < m; r++)
                {
                    Assert.True(expected[r].AsSpan().SequenceEqual(parity[r]), $"{codec.Implementation}/{codec.Kernel} k={k} m={m} length={length} row {r}");
                }
            }
        }
    }

    [Fact]
    public void Encode_ScalarKernel_MatchesFieldArithmetic()
    {
        var random = new Random(2);
        var data = RandomShards(random, 5, 100);
        var parity = Shards(3, 100);
        var codec = ReedSolomonCodec.CreateManaged(5, 3, GaloisKernel.Scalar);

        Encode(codec, data, parity);

        var matrix = codec.EncodingMatrix.ToArray();
        for (var r = 0; r < 3; r++)
        {
            for (var p = 0; p < 100; p++)
            {
                byte sum = 0;
                for (var j = 0; j < 5; j++)
                {
                    sum ^= GaloisField.Multiply(matrix[((5 + r) * 5) + j], data[j][p]);
                }

                Assert.Equal(sum, parity[r][p]);
            }
        }
    }

    [Fact]
    public void Reconstruct_UpToParityCountMissing_RestoresEveryShard()
    {
        var cases = from k in Gen.Choose(1, 20)
                    from m in Gen.Choose(0, 8)
                    from lengthIndex in Gen.Choose(0, s_lengths.Length - 2)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (k, m, s_lengths[lengthIndex], seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (k, m, length, seed) = c;
            var random = new Random(seed);
            var data = RandomShards(random, k, length);
            var parity = Shards(m, length);
            Encode(ReedSolomonCodec.Create(k, m), data, parity);
            var original = data.Concat(parity).ToArray();
            var lost = random.Next(0, m + 1);
            var present = Enumerable.Repeat(true, k + m).ToArray();
            foreach (var index in Enumerable.Range(0, k + m).OrderBy(_ => random.Next()).Take(lost))
            {
                present[index] = false;
            }

            foreach (var codec in AllCodecs(k, m))
            {
                var shards = original.Select((s, i) => present[i] ? s.ToArray() : RandomShards(random, 1, length)[0]).ToArray();
                var memories = shards.Select(s => (Memory<byte>)s).ToArray();

                codec.Reconstruct(memories, present);

                for (var i = 0; i < k + m; i++)
                {
                    Assert.True(original[i].AsSpan().SequenceEqual(shards[i]), $"{codec.Implementation}/{codec.Kernel} k={k} m={m} length={length} shard {i}");
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reconstruct_LargeShardsAllDataLost_RestoresData()
    {
        const int length = 65536 + 7;
        var random = new Random(3);
        var data = RandomShards(random, 10, length);
        var parity = Shards(4, length);
        Encode(ReedSolomonCodec.Create(10, 4), data, parity);
        bool[] present = [true, false, true, false, true, true, false, true, true, false, true, true, true, true];

        foreach (var codec in AllCodecs(10, 4))
        {
            var shards = data.Concat(parity).Select((s, i) => present[i] ? s.ToArray() : new byte[length]).ToArray();
            codec.Reconstruct(shards.Select(s => (Memory<byte>)s).ToArray(), present);

            for (var j = 0; j < 10; j++)
            {
                Assert.True(data[j].AsSpan().SequenceEqual(shards[j]), $"{codec.Implementation}/{codec.Kernel} shard {j}");
            }
        }
    }

    [Fact]
    public void Reconstruct_ParityCountPlusOneMissing_ThrowsErasureException()
    {
        var random = new Random(4);
        foreach (var codec in AllCodecs(6, 3))
        {
            var shards = Enumerable.Range(0, 9).Select(_ => (Memory<byte>)new byte[16]).ToArray();
            var present = Enumerable.Repeat(true, 9).ToArray();
            foreach (var index in Enumerable.Range(0, 9).OrderBy(_ => random.Next()).Take(4))
            {
                present[index] = false;
            }

            var error = Assert.Throws<ErasureException>(() => codec.Reconstruct(shards, present));

            Assert.Equal(5, error.Present);
            Assert.Equal(6, error.Required);
        }
    }

    [Fact]
    public void Reconstruct_SamePatternTwice_GivesSameResult()
    {
        var random = new Random(5);
        var codec = ReedSolomonCodec.Create(4, 2);
        var data = RandomShards(random, 4, 300);
        var parity = Shards(2, 300);
        Encode(codec, data, parity);
        bool[] present = [false, true, true, false, true, true];

        for (var round = 0; round < 2; round++)
        {
            var shards = data.Concat(parity).Select((s, i) => present[i] ? s.ToArray() : new byte[300]).ToArray();
            codec.Reconstruct(shards.Select(s => (Memory<byte>)s).ToArray(), present);

            Assert.Equal(data[0], shards[0]);
            Assert.Equal(data[3], shards[3]);
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, -1)]
    [InlineData(200, 56)]
    public void Create_InvalidCounts_Throws(int dataShards, int parityShards)
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ReedSolomonCodec.Create(dataShards, parityShards));
    }

    [Fact]
    public void Encode_MismatchedLengths_ThrowsArgumentException()
    {
        var codec = ReedSolomonCodec.Create(2, 1);

        Assert.Throws<ArgumentException>(() => Encode(codec, [new byte[8], new byte[7]], [new byte[8]]));
        Assert.Throws<ArgumentException>(() => Encode(codec, [new byte[8], new byte[8]], [new byte[9]]));
        Assert.Throws<ArgumentException>(() => Encode(codec, [new byte[8]], [new byte[8]]));
    }

    private static IEnumerable<ReedSolomonCodec> AllCodecs(int k, int m)
    {
        yield return ReedSolomonCodec.Create(k, m, ErasureImplementation.Isal);
        foreach (var kernel in Enum.GetValues<GaloisKernel>())
        {
            if (GaloisKernels.IsSupported(kernel))
            {
                yield return ReedSolomonCodec.CreateManaged(k, m, kernel);
            }
        }
    }

    private static void Encode(ReedSolomonCodec codec, byte[][] data, byte[][] parity) =>
        codec.Encode(data.Select(d => (ReadOnlyMemory<byte>)d).ToArray(), parity.Select(p => (Memory<byte>)p).ToArray());

    private static byte[][] Shards(int count, int length) => Enumerable.Range(0, count).Select(_ => new byte[length]).ToArray();

    private static byte[][] RandomShards(Random random, int count, int length)
    {
        var shards = Shards(count, length);
        foreach (var shard in shards)
        {
            random.NextBytes(shard);
        }

        return shards;
    }
}

using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Erasure;

namespace Isg.Protocol.Tests.Erasure;

public sealed class InterleavedCodeTests
{
    // Column counts around every vector width (1, 15, 16, 17, 31, 33, 63, 64, 65, ...) and a few strips wide.
    private static readonly int[] s_capacities = [3, 100, 255, 256, 3825, 4080, 4081, 7905, 8160, 16200, 16575, 16576, 70000, 300000];

    private static readonly GaloisKernel[] s_kernels = Enum.GetValues<GaloisKernel>().Where(GaloisKernels.IsSupported).ToArray();

    [Theory]
    [InlineData(3, 2, 1, 3)]
    [InlineData(255, 32, 1, 255)]
    [InlineData(256, 32, 2, 128)]
    [InlineData(510, 32, 2, 255)]
    [InlineData(511, 32, 3, 170)]
    [InlineData(16200, 32, 64, 253)]
    [InlineData(255 * 1000, 10, 1000, 255)]
    [InlineData(6 * 1024 * 1024, 32, 24673, 254)]
    public void ForCapacity_Capacity_GivesCeilingCodewordsAndFloorLength(int capacity, int parity, int codewords, int length)
    {
        var code = InterleavedCode.ForCapacity(capacity, parity);

        Assert.Equal(codewords, code.Codewords);
        Assert.Equal(length, code.CodewordLength);
        Assert.Equal(codewords * length, code.EncodedBytes);
        Assert.Equal(codewords * (length - code.ParityBytes), code.DataBytes);
        Assert.True(code.EncodedBytes <= capacity);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(-5, 4)]
    [InlineData(1, 1)]
    [InlineData(4, 4)]
    [InlineData(100000, 0)]
    [InlineData(100000, 129)]
    [InlineData(256, 128)]
    public void ForCapacity_NoRoomForDataOrBadParity_Throws(int capacity, int parity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InterleavedCode.ForCapacity(capacity, parity));

    [Fact]
    public void ForCapacity_LargestParityThatFits_Works()
    {
        var code = InterleavedCode.ForCapacity(258, 128);

        Assert.Equal(2, code.Codewords);
        Assert.Equal(129, code.CodewordLength);
        Assert.Equal(2, code.DataBytes);
    }

    [Fact]
    public void EncodeInPlace_EveryKernel_MatchesPerColumnEncoder()
    {
        var random = new Random(3);
        foreach (var capacity in s_capacities)
        {
            foreach (var parity in new[] { 1, 2, 7, 32 }.Where(p => p < capacity / ((capacity + 254) / 255)))
            {
                var expected = EncodedSample(InterleavedCode.ForCapacity(capacity, parity, GaloisKernel.Scalar), random, out _);
                AssertColumnsAreCodewords(InterleavedCode.ForCapacity(capacity, parity), expected);
                foreach (var kernel in s_kernels)
                {
                    var code = InterleavedCode.ForCapacity(capacity, parity, kernel);
                    var encoded = expected.ToArray();
                    encoded.AsSpan(code.DataBytes).Clear();

                    code.EncodeInPlace(encoded);

                    Assert.True(expected.AsSpan().SequenceEqual(encoded), $"{kernel} ({code.Kernel}) capacity={capacity} parity={parity}");
                }
            }
        }
    }

    [Fact]
    public void EncodeInPlace_LongerBuffer_LeavesTailAlone()
    {
        var code = InterleavedCode.ForCapacity(1003, 8);
        var buffer = new byte[1003];
        buffer.AsSpan().Fill(0xA5);

        code.EncodeInPlace(buffer);

        Assert.Equal(1000, code.EncodedBytes);
        Assert.All(buffer[1000..], b => Assert.Equal(0xA5, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => code.EncodeInPlace(new byte[999]));
        Assert.Throws<ArgumentOutOfRangeException>(() => code.DecodeInPlace(new byte[999]));
    }

    [Fact]
    public void DecodeInPlace_Clean_ReportsNothingCorrected()
    {
        foreach (var kernel in s_kernels)
        {
            foreach (var capacity in s_capacities)
            {
                var code = InterleavedCode.ForCapacity(capacity, Math.Min(32, (capacity / ((capacity + 254) / 255)) - 1), kernel);
                var encoded = EncodedSample(code, new Random(capacity), out _);
                var original = encoded.ToArray();

                var result = code.DecodeInPlace(encoded);

                Assert.Equal(new InterleavedDecodeResult(0, 0, code.Codewords), result);
                Assert.True(result.Success);
                Assert.Equal(original, encoded);
            }
        }
    }

    [Fact]
    public void DecodeInPlace_BurstUpToHalfParityRows_CorrectsEveryByte()
    {
        var cases = from capacityIndex in Gen.Choose(0, s_capacities.Length - 1)
                    from parity in Gen.Choose(1, 40)
                    from kernelIndex in Gen.Choose(0, s_kernels.Length - 1)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (s_capacities[capacityIndex], parity, s_kernels[kernelIndex], seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (capacity, parity, kernel, seed) = c;
            if (capacity / ((capacity + 254) / 255) <= parity)
            {
                return;
            }

            var random = new Random(seed);
            var code = InterleavedCode.ForCapacity(capacity, parity, kernel);
            var original = EncodedSample(code, random, out _);
            var encoded = original.ToArray();

            // Codewords × ⌊parity/2⌋ adjacent bytes hit each column at most ⌊parity/2⌋ times.
            var burst = random.Next(0, Math.Min(code.EncodedBytes, code.Codewords * (parity / 2)) + 1);
            var start = random.Next(0, code.EncodedBytes - burst + 1);
            for (var i = start; i < start + burst; i++)
            {
                encoded[i] ^= (byte)random.Next(1, 256);
            }

            var result = code.DecodeInPlace(encoded);

            Assert.Equal(new InterleavedDecodeResult(burst, 0, code.Codewords), result);
            Assert.True(original.AsSpan().SequenceEqual(encoded), $"{kernel} capacity={capacity} parity={parity} burst={burst}@{start}");
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void DecodeInPlace_ScatteredErrorsWithinEachColumnsReach_CorrectsAll()
    {
        var random = new Random(5);
        foreach (var kernel in s_kernels)
        {
            foreach (var capacity in new[] { 4080, 16200, 300000 })
            {
                var code = InterleavedCode.ForCapacity(capacity, 32, kernel);
                var original = EncodedSample(code, random, out _);
                var encoded = original.ToArray();
                var damaged = 0;
                for (var column = 0; column < code.Codewords; column++)
                {
                    var errors = random.Next(0, 17);
                    foreach (var row in Enumerable.Range(0, code.CodewordLength).OrderBy(_ => random.Next()).Take(errors))
                    {
                        encoded[(row * code.Codewords) + column] ^= (byte)random.Next(1, 256);
                        damaged++;
                    }
                }

                var result = code.DecodeInPlace(encoded);

                Assert.Equal(new InterleavedDecodeResult(damaged, 0, code.Codewords), result);
                Assert.True(original.AsSpan().SequenceEqual(encoded), $"{kernel} capacity={capacity}");
            }
        }
    }

    [Fact]
    public void DecodeInPlace_OneColumnBeyondReach_FailsThatColumnAndCorrectsTheRest()
    {
        foreach (var kernel in s_kernels)
        {
            foreach (var capacity in new[] { 3825, 16200, 70000 })
            {
                var random = new Random(capacity);
                var code = InterleavedCode.ForCapacity(capacity, 16, kernel);
                var original = EncodedSample(code, random, out _);
                var encoded = original.ToArray();
                var bad = random.Next(code.Codewords);
                for (var row = 0; row < 40; row++)
                {
                    encoded[(row * code.Codewords) + bad] ^= (byte)random.Next(1, 256);
                }

                var other = (bad + 1) % code.Codewords;
                encoded[(5 * code.Codewords) + other] ^= 0x5A;
                encoded[(200 * code.Codewords) + other] ^= 0x01;
                var badColumn = Column(encoded, code, bad);

                var result = code.DecodeInPlace(encoded);

                Assert.Equal(new InterleavedDecodeResult(2, 1, code.Codewords), result);
                Assert.False(result.Success);
                Assert.Equal(badColumn, Column(encoded, code, bad));
                for (var column = 0; column < code.Codewords; column++)
                {
                    if (column != bad)
                    {
                        Assert.Equal(Column(original, code, column), Column(encoded, code, column));
                    }
                }
            }
        }
    }

    [Fact]
    public void DecodeInPlace_ConstantData_EncodesAndCorrects()
    {
        foreach (var value in new byte[] { 0x00, 0xFF })
        {
            var code = InterleavedCode.ForCapacity(16200, 32);
            var encoded = new byte[code.EncodedBytes];
            encoded.AsSpan(0, code.DataBytes).Fill(value);
            code.EncodeInPlace(encoded);
            AssertColumnsAreCodewords(code, encoded);
            var original = encoded.ToArray();
            encoded.AsSpan(1000, 500).Fill((byte)~value);

            var result = code.DecodeInPlace(encoded);

            Assert.True(result.Success);
            Assert.Equal(original, encoded);
        }
    }

    [Fact]
    public void DecodeInPlace_ConcurrentCallsOnOneInstance_EachCorrect()
    {
        var code = InterleavedCode.ForCapacity(70000, 32);
        var originals = Enumerable.Range(0, 8).Select(i => EncodedSample(code, new Random(i), out _)).ToArray();
        var buffers = originals.Select(o => o.ToArray()).ToArray();
        for (var i = 0; i < buffers.Length; i++)
        {
            buffers[i].AsSpan(i * 100, code.Codewords * 10).Clear();
        }

        var results = new InterleavedDecodeResult[buffers.Length];
        Parallel.For(0, buffers.Length, i => results[i] = code.DecodeInPlace(buffers[i]));

        for (var i = 0; i < buffers.Length; i++)
        {
            Assert.True(results[i].Success);
            Assert.Equal(originals[i], buffers[i]);
        }
    }

    private static byte[] EncodedSample(InterleavedCode code, Random random, out byte[] data)
    {
        var encoded = new byte[code.EncodedBytes];
        random.NextBytes(encoded.AsSpan(0, code.DataBytes));
        data = encoded[..code.DataBytes];
        code.EncodeInPlace(encoded);
        return encoded;
    }

    // Each column, read down the rows, is a codeword of the single-codeword encoder.
    private static void AssertColumnsAreCodewords(InterleavedCode code, byte[] encoded)
    {
        var single = new ReedSolomonErrorCorrector(code.ParityBytes);
        var parity = new byte[code.ParityBytes];
        for (var column = 0; column < code.Codewords; column++)
        {
            var codeword = Column(encoded, code, column);
            single.Encode(codeword.AsSpan(0, code.CodewordLength - code.ParityBytes), parity);
            Assert.Equal(parity, codeword[(code.CodewordLength - code.ParityBytes)..]);
        }
    }

    private static byte[] Column(byte[] encoded, InterleavedCode code, int column)
    {
        var codeword = new byte[code.CodewordLength];
        for (var row = 0; row < code.CodewordLength; row++)
        {
            codeword[row] = encoded[(row * code.Codewords) + column];
        }

        return codeword;
    }
}

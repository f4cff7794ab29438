using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Isg.Protocol.Erasure;

namespace Isg.Protocol.Tests.Erasure;

public sealed class ReedSolomonErrorCorrectorTests
{
    [Fact]
    public void Generator_Parity10_MatchesQrCodeGeneratorPolynomial()
    {
        // ISO/IEC 18004 (QR code, same field 0x11D and roots α^0..α^9) Annex A lists g(x) for 10 EC codewords as
        // x^10 + α^251 x^9 + α^67 x^8 + α^46 x^7 + α^61 x^6 + α^118 x^5 + α^70 x^4 + α^64 x^3 + α^94 x^2 + α^32 x + α^45.
        int[] expectedLogs = [251, 67, 46, 61, 118, 70, 64, 94, 32, 45];
        var code = new ReedSolomonErrorCorrector(10);

        var logs = code.Generator.ToArray().Select(c => (int)GaloisField.LogTable[c]).ToArray();

        Assert.Equal(expectedLogs, logs);
    }

    [Fact]
    public void Encode_Parity10_MatchesIndependentKnownAnswer()
    {
        // From a separate Python model (bitwise carry-less multiply reduced by 0x11D, g(x) multiplied out from its
        // roots, schoolbook long division of m(x)·x^10), whose codeword evaluates to 0 at α^0..α^9.
        var message = Encoding.ASCII.GetBytes("Isg inner code KAT: 0123456789");
        byte[] expected = [0x3F, 0xAE, 0x00, 0xA2, 0xD8, 0x86, 0xCD, 0xBA, 0x83, 0xD2];
        var parity = new byte[10];

        new ReedSolomonErrorCorrector(10).Encode(message, parity);

        Assert.Equal(expected, parity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(129)]
    public void Constructor_ParityOutOfRange_Throws(int parity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReedSolomonErrorCorrector(parity));

    [Fact]
    public void Encode_DataTooLongOrParityWrongLength_Throws()
    {
        var code = new ReedSolomonErrorCorrector(8);

        Assert.Throws<ArgumentOutOfRangeException>(() => code.Encode(new byte[248], new byte[8]));
        Assert.Throws<ArgumentException>(() => code.Encode(new byte[10], new byte[7]));
    }

    [Fact]
    public void Encode_EmptyData_GivesZeroParity()
    {
        var parity = new byte[4] { 1, 2, 3, 4 };

        new ReedSolomonErrorCorrector(4).Encode([], parity);

        Assert.Equal(new byte[4], parity);
    }

    [Fact]
    public void Correct_LengthOutsideParityPlusOneTo255_Throws()
    {
        var code = new ReedSolomonErrorCorrector(8);

        Assert.Throws<ArgumentOutOfRangeException>(() => code.Correct(new byte[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => code.Correct(new byte[256]));
    }

    [Fact]
    public void Correct_BadErasurePositions_Throws()
    {
        var code = new ReedSolomonErrorCorrector(8);
        var codeword = Codeword(code, new byte[20]);

        Assert.Throws<ArgumentOutOfRangeException>(() => code.Correct(codeword, [28]));
        Assert.Throws<ArgumentOutOfRangeException>(() => code.Correct(codeword, [-1]));
        Assert.Throws<ArgumentException>(() => code.Correct(codeword, [3, 5, 3]));
    }

    [Fact]
    public void Correct_MoreErasuresThanParity_ReturnsMinusOneUnchanged()
    {
        var code = new ReedSolomonErrorCorrector(4);
        var codeword = Codeword(code, Enumerable.Range(0, 30).Select(i => (byte)i).ToArray());
        codeword[0] ^= 1;
        var damaged = codeword.ToArray();

        Assert.Equal(-1, code.Correct(codeword, [0, 1, 2, 3, 4]));
        Assert.Equal(damaged, codeword);
    }

    [Fact]
    public void Correct_CleanCodeword_ReturnsZero()
    {
        var code = new ReedSolomonErrorCorrector(16);
        var codeword = Codeword(code, SampleData(200, 1));
        var original = codeword.ToArray();

        Assert.Equal(0, code.Correct(codeword));
        Assert.Equal(0, code.Correct(codeword, [0, 17, 215]));
        Assert.Equal(original, codeword);
    }

    [Fact]
    public void Correct_FullLengthCodewordWithMaximumErrors_Corrects()
    {
        var code = new ReedSolomonErrorCorrector(32);
        var codeword = Codeword(code, SampleData(223, 2));
        var original = codeword.ToArray();
        for (var i = 0; i < 16; i++)
        {
            codeword[i * 15] ^= (byte)(i + 1);
        }

        Assert.Equal(16, code.Correct(codeword));
        Assert.Equal(original, codeword);
    }

    [Fact]
    public void Correct_UpToHalfParityErrors_RestoresAndCounts()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var code = new ReedSolomonErrorCorrector(c.Parity);
            var original = Codeword(code, Data(random, c.DataLength, c.Fill));
            var codeword = original.ToArray();
            var errors = random.Next(0, (c.Parity / 2) + 1);
            Corrupt(random, codeword, Positions(random, codeword.Length, errors));

            var corrected = code.Correct(codeword);

            Assert.Equal(errors, corrected);
            Assert.Equal(original, codeword);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Correct_ErrorsAndErasuresWithinBound_RestoresAndCounts()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var code = new ReedSolomonErrorCorrector(c.Parity);
            var original = Codeword(code, Data(random, c.DataLength, c.Fill));
            var codeword = original.ToArray();
            var erasures = random.Next(0, Math.Min(c.Parity, codeword.Length) + 1);
            var errors = random.Next(0, ((c.Parity - erasures) / 2) + 1);
            var positions = Positions(random, codeword.Length, erasures + errors);
            Corrupt(random, codeword, positions.AsSpan(erasures));

            // An erased byte may or may not be wrong; only the wrong ones count as corrected.
            foreach (var position in positions.AsSpan(0, erasures))
            {
                codeword[position] = (byte)random.Next(256);
            }

            var changed = Enumerable.Range(0, codeword.Length).Count(i => codeword[i] != original[i]);

            var corrected = code.Correct(codeword, positions.AsSpan(0, erasures));

            Assert.Equal(changed, corrected);
            Assert.Equal(original, codeword);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Correct_TooManyErrors_FailsCleanlyOrGivesACodeword()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var code = new ReedSolomonErrorCorrector(c.Parity);
            var codeword = Codeword(code, Data(random, c.DataLength, c.Fill));
            var errors = random.Next((c.Parity / 2) + 1, codeword.Length + 1);
            Corrupt(random, codeword, Positions(random, codeword.Length, errors));
            var damaged = codeword.ToArray();

            var corrected = code.Correct(codeword);

            if (corrected < 0)
            {
                Assert.Equal(damaged, codeword);
            }
            else
            {
                // A miscorrection: it must at least have landed on a codeword, changing exactly `corrected` bytes.
                Assert.Equal(corrected, Enumerable.Range(0, codeword.Length).Count(i => codeword[i] != damaged[i]));
                Assert.True(corrected <= c.Parity / 2);
                Assert.True(IsCodeword(code, codeword));
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Correct_TooManyErrorsAtParity32_ReportsFailure()
    {
        // Beyond the bound a decoder of distance 33 detects almost every pattern (miscorrection odds are ~1/16!).
        var random = new Random(7);
        var code = new ReedSolomonErrorCorrector(32);
        var failures = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var codeword = Codeword(code, Data(random, 223, 0));
            Corrupt(random, codeword, Positions(random, codeword.Length, 17 + random.Next(20)));

            failures += code.Correct(codeword) < 0 ? 1 : 0;
        }

        Assert.Equal(200, failures);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xFF)]
    public void Correct_ConstantData_Corrects(byte value)
    {
        foreach (var parity in new[] { 1, 2, 10, 32, 128 })
        {
            var code = new ReedSolomonErrorCorrector(parity);
            var random = new Random(parity);
            var original = Codeword(code, Enumerable.Repeat(value, 255 - parity).ToArray());
            var codeword = original.ToArray();
            Corrupt(random, codeword, Positions(random, codeword.Length, parity / 2));

            Assert.Equal(parity / 2, code.Correct(codeword));
            Assert.Equal(original, codeword);
        }
    }

    [Fact]
    public void Encode_Parity1_IsTheXorOfTheData()
    {
        // g(x) = x + 1: the remainder of m(x)·x is m(1), the XOR of all bytes.
        var data = SampleData(100, 3);
        var parity = new byte[1];

        new ReedSolomonErrorCorrector(1).Encode(data, parity);

        Assert.Equal(data.Aggregate((byte)0, (a, b) => (byte)(a ^ b)), parity[0]);
    }

    internal static byte[] Codeword(ReedSolomonErrorCorrector code, byte[] data)
    {
        var codeword = new byte[data.Length + code.ParityBytes];
        data.CopyTo(codeword, 0);
        code.Encode(data, codeword.AsSpan(data.Length));
        return codeword;
    }

    private static bool IsCodeword(ReedSolomonErrorCorrector code, byte[] codeword)
    {
        var dataLength = codeword.Length - code.ParityBytes;
        var parity = new byte[code.ParityBytes];
        code.Encode(codeword.AsSpan(0, dataLength), parity);
        return parity.AsSpan().SequenceEqual(codeword.AsSpan(dataLength));
    }

    private static Gen<(int Parity, int DataLength, int Fill, int Seed)> Cases() =>
        from parity in Gen.Choose(1, 128)
        from dataLength in Gen.Choose(1, 255 - parity)
        from fill in Gen.Choose(0, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        select (parity, dataLength, fill, seed);

    // fill 0: random bytes; 1: all 0x00; 2: all 0xFF; 3: a repeating ramp.
    private static byte[] Data(Random random, int length, int fill)
    {
        var data = new byte[length];
        switch (fill)
        {
            case 0:
                random.NextBytes(data);
                break;
            case 2:
                data.AsSpan().Fill(0xFF);
                break;
            case 3:
                for (var i = 0; i < length; i++)
                {
                    data[i] = (byte)i;
                }

                break;
        }

        return data;
    }

    private static byte[] SampleData(int length, int seed) => Isg.TestKit.SampleData.RandomBytes(length, seed);

    private static int[] Positions(Random random, int length, int count) =>
        Enumerable.Range(0, length).OrderBy(_ => random.Next()).Take(count).ToArray();

    // Flips each position to a different value.
    private static void Corrupt(Random random, byte[] codeword, ReadOnlySpan<int> positions)
    {
        foreach (var position in positions)
        {
            codeword[position] ^= (byte)random.Next(1, 256);
        }
    }
}

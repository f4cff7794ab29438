using Isg.Protocol.Erasure;

namespace Isg.Protocol.Tests.Erasure;

public sealed class GaloisFieldTests
{
    [Fact]
    public void Multiply_AllPairs_MatchesCarrylessProductReducedBy0x11D()
    {
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(SlowMultiply(a, b), GaloisField.Multiply((byte)a, (byte)b));
            }
        }
    }

    [Fact]
    public void Inverse_EveryNonZeroElement_GivesOne()
    {
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, GaloisField.Multiply((byte)a, GaloisField.Inverse((byte)a)));
        }
    }

    [Fact]
    public void GenerateCauchyMatrix_FourPlusTwo_MatchesIsalKnownAnswer()
    {
        // gf_gen_cauchy1_matrix(a, 6, 4) from libisal2 2.30.0.
        byte[] expected =
        [
            0x01, 0x00, 0x00, 0x00,
            0x00, 0x01, 0x00, 0x00,
            0x00, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x00, 0x01,
            0x47, 0xA7, 0x7A, 0xBA,
            0xA7, 0x47, 0xBA, 0x7A,
        ];
        var matrix = new byte[24];

        GaloisField.GenerateCauchyMatrix(matrix, 6, 4);

        Assert.Equal(expected, matrix);
    }

    [Fact]
    public void TryInvert_RandomCauchySubmatrices_GivesInverse()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 50; trial++)
        {
            var k = random.Next(1, 21);
            var m = random.Next(0, 9);
            var matrix = new byte[(k + m) * k];
            GaloisField.GenerateCauchyMatrix(matrix, k + m, k);
            var rows = Enumerable.Range(0, k + m).OrderBy(_ => random.Next()).Take(k).ToArray();
            var submatrix = new byte[k * k];
            for (var r = 0; r < k; r++)
            {
                matrix.AsSpan(rows[r] * k, k).CopyTo(submatrix.AsSpan(r * k));
            }

            var original = submatrix.ToArray();
            var inverse = new byte[k * k];
            Assert.True(GaloisField.TryInvert(submatrix, inverse, k));
            var product = new byte[k * k];
            GaloisField.MultiplyMatrices(original, inverse, product, k, k, k);
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    Assert.Equal(i == j ? 1 : 0, product[(i * k) + j]);
                }
            }
        }
    }

    [Fact]
    public void TryInvert_SingularMatrix_ReturnsFalse()
    {
        byte[] matrix = [1, 2, 1, 2];

        Assert.False(GaloisField.TryInvert(matrix, new byte[4], 2));
    }

    private static byte SlowMultiply(int a, int b)
    {
        var product = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            if ((b & (1 << bit)) != 0)
            {
                product ^= a << bit;
            }
        }

        for (var bit = 15; bit >= 8; bit--)
        {
            if ((product & (1 << bit)) != 0)
            {
                product ^= GaloisField.Polynomial << (bit - 8);
            }
        }

        return (byte)product;
    }
}

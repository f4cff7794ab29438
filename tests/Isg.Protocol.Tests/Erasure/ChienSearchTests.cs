using Isg.Protocol.Erasure;

namespace Isg.Protocol.Tests.Erasure;

public sealed class ChienSearchTests
{
    [Fact]
    public void TryFindRoots_LocatorOfDistinctPositions_FindsExactlyThemOnBothLoops()
    {
        var random = new Random(9);
        for (var trial = 0; trial < 300; trial++)
        {
            var length = random.Next(2, 256);
            var degree = random.Next(1, Math.Min(ChienSearch.MaxDegree, length) + 1);
            var positions = Enumerable.Range(0, length).OrderBy(_ => random.Next()).Take(degree).Order().ToArray();
            var sigma = Locator(positions);

            foreach (var vector in new[] { true, false })
            {
                var roots = new byte[degree];

                Assert.True(ChienSearch.TryFindRoots(sigma, degree, length, roots, vector));
                Assert.Equal(positions, roots.Select(r => (int)r).ToArray());
            }
        }
    }

    [Fact]
    public void TryFindRoots_RootOutsideShortenedCode_Fails()
    {
        var sigma = Locator([3, 10, 200]);

        Assert.False(ChienSearch.TryFindRoots(sigma, 3, 200, new byte[3], vector: true));
        Assert.False(ChienSearch.TryFindRoots(sigma, 3, 200, new byte[3], vector: false));
        Assert.True(ChienSearch.TryFindRoots(sigma, 3, 201, new byte[3], vector: true));
    }

    [Fact]
    public void TryFindRoots_RandomPolynomials_BothLoopsAgree()
    {
        var random = new Random(10);
        for (var trial = 0; trial < 300; trial++)
        {
            var degree = random.Next(3, ChienSearch.MaxDegree + 1);
            var sigma = new byte[ChienSearch.MaxDegree + 1];
            random.NextBytes(sigma.AsSpan(1, degree));
            sigma[0] = 1;
            var vectorRoots = new byte[degree];
            var scalarRoots = new byte[degree];

            var vector = ChienSearch.TryFindRoots(sigma, degree, 255, vectorRoots, vector: true);
            var scalar = ChienSearch.TryFindRoots(sigma, degree, 255, scalarRoots, vector: false);

            Assert.Equal(scalar, vector);
            Assert.Equal(scalarRoots, vectorRoots);
        }
    }

    // σ(x) = Π (1 + α^q x) over the given powers q.
    private static byte[] Locator(int[] powers)
    {
        var sigma = new byte[ChienSearch.MaxDegree + 1];
        sigma[0] = 1;
        for (var k = 0; k < powers.Length; k++)
        {
            var x = GaloisField.ExpTable[powers[k]];
            for (var j = k + 1; j > 0; j--)
            {
                sigma[j] ^= GaloisField.Multiply(sigma[j - 1], x);
            }
        }

        return sigma;
    }
}

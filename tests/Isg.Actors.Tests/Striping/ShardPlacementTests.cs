using Isg.Actors.Striping;

namespace Isg.Actors.Tests.Striping;

public sealed class ShardPlacementTests
{
    [Theory]
    [InlineData(4, 2, 6)]
    [InlineData(10, 2, 12)]
    [InlineData(2, 1, 5)]
    public void BackendFor_EnoughBackends_NoTwoShardsOfAStripeShareOne(int k, int m, int n)
    {
        for (var stripe = 0L; stripe < 50; stripe++)
        {
            var used = Enumerable.Range(0, k + m).Select(i => ShardPlacement.BackendFor(stripe, i, n)).ToList();
            Assert.Equal(k + m, used.Distinct().Count());
            Assert.All(used, b => Assert.InRange(b, 0, n - 1));
        }
    }

    [Theory]
    [InlineData(4, 2, 3)]
    [InlineData(10, 2, 5)]
    [InlineData(3, 1, 3)]
    public void BackendFor_FewerBackends_SpreadsEvenlyPerStripeAndOverStripes(int k, int m, int n)
    {
        var overall = new long[n];
        for (var stripe = 0L; stripe < 60; stripe++)
        {
            var perStripe = new int[n];
            for (var i = 0; i < k + m; i++)
            {
                var backend = ShardPlacement.BackendFor(stripe, i, n);
                perStripe[backend]++;
                overall[backend]++;
            }

            Assert.InRange(perStripe.Max() - perStripe.Min(), 0, 1);
        }

        Assert.InRange(overall.Max() - overall.Min(), 0, k + m);
    }
}

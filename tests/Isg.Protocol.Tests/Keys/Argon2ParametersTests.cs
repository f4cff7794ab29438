using Isg.Protocol.Keys;

namespace Isg.Protocol.Tests.Keys;

public sealed class Argon2ParametersTests
{
    [Fact]
    public void Default_IsRfc9106SecondRecommendation()
    {
        Assert.Equal(new Argon2Parameters(65536, 3, 4), Argon2Parameters.Default);
        Argon2Parameters.Default.Validate();
        Argon2Parameters.ForTests.Validate();
    }

    [Theory]
    [InlineData(8 * 1024, 1, 1)]
    [InlineData(4 * 1024 * 1024, 100, 16)]
    public void TryValidate_AtTheBounds_Valid(int memoryKiB, int iterations, int parallelism)
    {
        Assert.True(new Argon2Parameters(memoryKiB, iterations, parallelism).TryValidate(out var problem));
        Assert.Empty(problem);
    }

    [Theory]
    [InlineData(8 * 1024 - 1, 1, 1)]
    [InlineData(4 * 1024 * 1024 + 1, 1, 1)]
    [InlineData(-1, 1, 1)]
    [InlineData(65536, 0, 1)]
    [InlineData(65536, 101, 1)]
    [InlineData(65536, 3, 0)]
    [InlineData(65536, 3, 17)]
    public void TryValidate_OutOfBounds_InvalidWithReason(int memoryKiB, int iterations, int parallelism)
    {
        var parameters = new Argon2Parameters(memoryKiB, iterations, parallelism);
        Assert.False(parameters.TryValidate(out var problem));
        Assert.StartsWith("Argon2", problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(parameters.Validate);
    }
}

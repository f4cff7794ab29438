using Isg.Actors.Repositories;

namespace Isg.Actors.Tests.Healing;

public sealed class ScrubSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Repository _repository;

    public ScrubSettingsTests() => _repository = TestRepository.Create(_dir);

    public void Dispose()
    {
        _repository.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("unlimited", 0L)]
    [InlineData("1000", 1000L)]
    [InlineData("50M", 50L << 20)]
    [InlineData("64k", 64L << 10)]
    [InlineData("2g", 2L << 30)]
    public void ParseRate_ValidValues_GiveBytesPerSecond(string text, long expected) =>
        Assert.Equal(expected, RepositorySettings.ParseRate(text));

    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("30m", 30 * 60)]
    [InlineData("90s", 90)]
    [InlineData("1.5d", 36 * 3600)]
    public void ParseInterval_ValidValues_GiveTheInterval(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RepositorySettings.ParseInterval(text));

    [Fact]
    public void Defaults_AreFiftyMebibytesPerSecondEveryDay()
    {
        Assert.Equal(50L << 20, _repository.Settings.ScrubRate);
        Assert.Equal(TimeSpan.FromHours(24), _repository.Settings.ScrubInterval);
    }

    [Theory]
    [InlineData(RepositorySettings.ScrubRateKey, "fast")]
    [InlineData(RepositorySettings.ScrubRateKey, "-5")]
    [InlineData(RepositorySettings.ScrubRateKey, "10x")]
    [InlineData(RepositorySettings.ScrubIntervalKey, "24")]
    [InlineData(RepositorySettings.ScrubIntervalKey, "0h")]
    [InlineData(RepositorySettings.ScrubIntervalKey, "soon")]
    public void Set_BadScrubValue_IsRejectedNamingTheKey(string key, string value)
    {
        var error = Assert.Throws<RepositoryException>(() => _repository.Settings.Set(key, value));
        Assert.Equal(RepositoryErrorKind.BadSetting, error.Kind);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.NotEqual(value, _repository.Settings.Get(key));
    }

    [Fact]
    public void Set_GoodScrubValues_AreReadBack()
    {
        _repository.Settings.Set(RepositorySettings.ScrubRateKey, "0");
        _repository.Settings.Set(RepositorySettings.ScrubIntervalKey, "6h");
        Assert.Equal(0, _repository.Settings.ScrubRate);
        Assert.Equal(TimeSpan.FromHours(6), _repository.Settings.ScrubInterval);
    }
}

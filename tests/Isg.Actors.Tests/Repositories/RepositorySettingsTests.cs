using Isg.Actors.Repositories;
using Isg.Protocol.Chunking;
using Isg.Protocol.Compression;
using Isg.Protocol.Sealing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Repositories;

public sealed class RepositorySettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Repository _repository;

    public RepositorySettingsTests() => _repository = TestRepository.Create(_dir, smallChunks: false);

    private RepositorySettings Settings => _repository.Settings;

    public void Dispose()
    {
        _repository.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Get_NeverSet_ReturnsDefaults()
    {
        Assert.Equal("zstd", Settings.Get(RepositorySettings.CompressionKey));
        Assert.Equal("3", Settings.Get(RepositorySettings.CompressionLevelKey));
        Assert.Equal("aes-256-gcm", Settings.Get(RepositorySettings.CipherKey));
        Assert.Equal("262144", Settings.Get(RepositorySettings.ChunkMinKey));
        Assert.Equal("1048576", Settings.Get(RepositorySettings.ChunkAverageKey));
        Assert.Equal("4194304", Settings.Get(RepositorySettings.ChunkMaxKey));
        Assert.Equal(SealOptions.Default, Settings.SealOptions);
        Assert.Equal(ChunkerOptions.Default, Settings.ChunkerOptions);
    }

    [Fact]
    public void Keys_ListsEverySettingOnce()
    {
        Assert.Equal(9, RepositorySettings.Keys.Count);
        Assert.Equal(RepositorySettings.Keys.Count, RepositorySettings.Keys.Distinct().Count());
        Assert.All(RepositorySettings.Keys, key => Assert.NotEmpty(Settings.Get(key)));
    }

    [Theory]
    [InlineData(RepositorySettings.CompressionKey, "brotli", "brotli")]
    [InlineData(RepositorySettings.CompressionKey, " None ", "none")]
    [InlineData(RepositorySettings.CompressionLevelKey, "19", "19")]
    [InlineData(RepositorySettings.CipherKey, "ChaCha20-Poly1305", "chacha20-poly1305")]
    [InlineData(RepositorySettings.ChunkMinKey, "65536", "65536")]
    [InlineData(RepositorySettings.ChunkAverageKey, "2097152", "2097152")]
    [InlineData(RepositorySettings.ChunkMaxKey, "8388608", "8388608")]
    public void Set_ValidValue_RoundTripsNormalizedAndSurvivesReopening(string key, string value, string stored)
    {
        Settings.Set(key, value);

        Assert.Equal(stored, Settings.Get(key));
        var root = _repository.Layout.Root;
        using var reopened = Repository.Open(root, TestRepository.Passphrase, NullLoggerFactory.Instance);
        Assert.Equal(stored, reopened.Settings.Get(key));
    }

    [Fact]
    public void Get_UnknownKey_ThrowsBadSettingListingTheKnownKeys()
    {
        var e = Assert.Throws<RepositoryException>(() => Settings.Get("compresion"));

        Assert.Equal(RepositoryErrorKind.BadSetting, e.Kind);
        Assert.Contains("compresion", e.Message, StringComparison.Ordinal);
        Assert.All(RepositorySettings.Keys, key => Assert.Contains(key, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Set_UnknownKey_ThrowsBadSetting()
    {
        var e = Assert.Throws<RepositoryException>(() => Settings.Set("chunker.size", "1024"));

        Assert.Equal(RepositoryErrorKind.BadSetting, e.Kind);
        Assert.Contains("chunker.size", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RepositorySettings.CompressionKey, "lz4")]
    [InlineData(RepositorySettings.CompressionKey, "")]
    [InlineData(RepositorySettings.CipherKey, "rot13")]
    [InlineData(RepositorySettings.CompressionLevelKey, "0")]
    [InlineData(RepositorySettings.CompressionLevelKey, "23")]
    [InlineData(RepositorySettings.CompressionLevelKey, "three")]
    [InlineData(RepositorySettings.ChunkMinKey, "32")]
    [InlineData(RepositorySettings.ChunkMinKey, "1048576")]
    [InlineData(RepositorySettings.ChunkMinKey, "-5")]
    [InlineData(RepositorySettings.ChunkAverageKey, "1000000")]
    [InlineData(RepositorySettings.ChunkAverageKey, "4194304")]
    [InlineData(RepositorySettings.ChunkMaxKey, "1048576")]
    [InlineData(RepositorySettings.ChunkMaxKey, "134217728")]
    [InlineData(RepositorySettings.ChunkMaxKey, "99999999999")]
    [InlineData(RepositorySettings.ChunkMaxKey, "4 MiB")]
    public void Set_BadValue_ThrowsBadSettingAndKeepsTheOldValue(string key, string value)
    {
        var before = Settings.Get(key);

        var e = Assert.Throws<RepositoryException>(() => Settings.Set(key, value));

        Assert.Equal(RepositoryErrorKind.BadSetting, e.Kind);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Settings.Get(key));
        Assert.Equal(SealOptions.Default, Settings.SealOptions);
        Assert.Equal(ChunkerOptions.Default, Settings.ChunkerOptions);
    }

    [Fact]
    public void Set_LevelValidForZstdButNotBrotli_RejectsTheSwitchToBrotli()
    {
        Settings.Set(RepositorySettings.CompressionLevelKey, "19");

        var e = Assert.Throws<RepositoryException>(() => Settings.Set(RepositorySettings.CompressionKey, "brotli"));

        Assert.Equal(RepositoryErrorKind.BadSetting, e.Kind);
        Assert.Equal("zstd", Settings.Get(RepositorySettings.CompressionKey));
        Settings.Set(RepositorySettings.CompressionLevelKey, "9");
        Settings.Set(RepositorySettings.CompressionKey, "brotli");
        Assert.Equal(new SealOptions(CompressionId.Brotli, 9, CipherId.Aes256Gcm), Settings.SealOptions);
    }

    [Fact]
    public void SealOptions_ReflectTheSettings()
    {
        Settings.Set(RepositorySettings.CompressionKey, "none");
        Settings.Set(RepositorySettings.CipherKey, "chacha20-poly1305");
        Settings.Set(RepositorySettings.CompressionLevelKey, "7");

        Assert.Equal(new SealOptions(CompressionId.None, 7, CipherId.ChaCha20Poly1305), Settings.SealOptions);
    }

    [Fact]
    public void ChunkerOptions_ReflectTheSettings()
    {
        TestRepository.UseSmallChunks(Settings);

        Assert.Equal(new ChunkerOptions(TestRepository.MinChunk, TestRepository.AverageChunk, TestRepository.MaxChunk), Settings.ChunkerOptions);
        Assert.Equal(TestRepository.MaxChunk, _repository.CreateChunker().MaxChunkSize);
    }

    [Fact]
    public void Set_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Settings.Set(null!, "zstd"));
        Assert.Throws<ArgumentNullException>(() => Settings.Set(RepositorySettings.CompressionKey, null!));
        Assert.Throws<ArgumentNullException>(() => Settings.Get(null!));
    }
}

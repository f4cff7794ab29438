using System.Security.Cryptography;
using Isg.Actors.Backends;
using Isg.Actors.Backends.Secrets;
using Isg.Actors.Catalog;
using Isg.Protocol.Keys;

namespace Isg.Actors.Tests.Backends.Secrets;

public sealed class BackendSecretsTests : IDisposable
{
    private readonly RepositoryKey _key = RepositoryKey.Generate();
    private readonly Dictionary<string, string> _secrets = new(StringComparer.Ordinal) { ["token"] = "s3cr3t-token-value", ["webhook"] = "https://h/x" };

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Open_SealedForSameBackend_ReturnsTheSecrets()
    {
        var box = BackendSecrets.Seal(_key, "disc", _secrets)!;

        Assert.Equal(_secrets, BackendSecrets.Open(_key, "disc", box));
        Assert.DoesNotContain("s3cr3t"u8.ToArray(), Windows(box, 6));
    }

    [Fact]
    public void Open_BoxOfAnotherBackendOrKey_Throws()
    {
        var box = BackendSecrets.Seal(_key, "disc", _secrets)!;
        using var other = RepositoryKey.Generate();

        Assert.Throws<CryptographicException>(() => BackendSecrets.Open(_key, "tele", box));
        Assert.Throws<CryptographicException>(() => BackendSecrets.Open(other, "disc", box));
    }

    [Fact]
    public void Open_AnyByteFlipped_Throws()
    {
        var box = BackendSecrets.Seal(_key, "disc", _secrets)!;
        for (var i = 0; i < box.Length; i++)
        {
            var damaged = (byte[])box.Clone();
            damaged[i] ^= 0x40;
            Assert.Throws<CryptographicException>(() => BackendSecrets.Open(_key, "disc", damaged));
        }
    }

    [Fact]
    public void Seal_NoSecrets_ReturnsNullAndOpensEmpty()
    {
        Assert.Null(BackendSecrets.Seal(_key, "disc", BackendSecrets.None));
        Assert.Empty(BackendSecrets.Open(_key, "disc", ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void RepositoryKey_BackendSecretsKey_DiffersFromOtherSubkeys()
    {
        Assert.False(_key.BackendSecretsKey.SequenceEqual(_key.ChunkerSeed));
        Assert.Equal(32, _key.BackendSecretsKey.Length);
    }

    [Fact]
    public async Task SecretStore_SaveAsync_MergesAndRecordsReadWithKeyCarryThem()
    {
        using var dir = new TempDirectory();
        using var catalog = CatalogDatabase.Open(dir.Path);
        using (var writer = catalog.CreateWriter())
        {
            writer.AddBackend(new BackendRecord("yt", "youtube", "{}", DateTimeOffset.UtcNow), BackendSecrets.Seal(_key, "yt", _secrets));
        }

        var store = new CatalogBackendSecretStore(catalog, _key);
        await store.SaveAsync("yt", new Dictionary<string, string> { ["token"] = "rotated" }, CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync("nope", _secrets, CancellationToken.None));

        using var reader = catalog.CreateReader();
        var record = BackendSecretsReader.ListBackends(reader, _key).Single(b => b.Name == "yt");
        Assert.Equal("rotated", record.Secrets["token"]);
        Assert.Equal("https://h/x", record.Secrets["webhook"]);
        Assert.DoesNotContain("rotated", record.ToString(), StringComparison.Ordinal);
        Assert.Empty(reader.ListBackends().Single(b => b.Name == "yt").Secrets);
    }

    private static IEnumerable<byte[]> Windows(byte[] bytes, int length) =>
        Enumerable.Range(0, Math.Max(0, bytes.Length - length + 1)).Select(i => bytes[i..(i + length)]);
}

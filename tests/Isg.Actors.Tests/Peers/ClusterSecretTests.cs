using System.Security.Cryptography;
using System.Text;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Protocol.Keys;
using Isg.Protocol.Peers;

namespace Isg.Actors.Tests.Peers;

public sealed class ClusterSecretTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SealOpen_SameKey_RoundTripsAndHidesTheSecret()
    {
        using var key = RepositoryKey.Generate();

        var box = ClusterSecret.Seal(key, "our home lab secret");

        Assert.Equal("our home lab secret", ClusterSecret.Open(key, box));
        Assert.True(box.AsSpan().IndexOf(Encoding.UTF8.GetBytes("home lab")) < 0);
        Assert.NotEqual(box, ClusterSecret.Seal(key, "our home lab secret"));
    }

    [Fact]
    public void Open_OtherRepositoryOrDamagedBox_ThrowsCryptographicException()
    {
        using var key = RepositoryKey.Generate();
        using var other = RepositoryKey.Generate();
        var box = ClusterSecret.Seal(key, "our home lab secret");
        var flipped = (byte[])box.Clone();
        flipped[^3] ^= 1;

        Assert.Throws<CryptographicException>(() => ClusterSecret.Open(other, box));
        Assert.Throws<CryptographicException>(() => ClusterSecret.Open(key, flipped));
        Assert.Throws<CryptographicException>(() => ClusterSecret.Open(key, box.AsSpan(0, 10)));
        Assert.Throws<CryptographicException>(() => ClusterSecret.Open(key, [2, .. box[1..]]));
    }

    [Fact]
    public void Check_ShortOrPaddedSecrets_AreRefused()
    {
        Assert.Null(ClusterSecret.Check("sixteen chars ok"));
        Assert.NotNull(ClusterSecret.Check("fifteen chars!!"));
        Assert.NotNull(ClusterSecret.Check(" padded secret value"));
        Assert.NotNull(ClusterSecret.Check(null));
        using var key = RepositoryKey.Generate();
        Assert.Throws<ArgumentException>(() => ClusterSecret.Seal(key, "short"));
    }

    [Fact]
    public void DeriveClusterKey_StoredSecret_MatchesTheProofKeyAndNullWithoutOne()
    {
        using var key = RepositoryKey.Generate();
        using var catalog = CatalogDatabase.Open(_dir.Path);
        Assert.Null(ClusterSecret.DeriveClusterKey(key, catalog));

        using (var writer = catalog.CreateWriter())
        {
            writer.SetClusterSecretBox(ClusterSecret.Seal(key, "our home lab secret"));
        }

        var expected = new byte[ClusterProof.Length];
        ClusterProof.DeriveKey("our home lab secret", key.ComputeRepositoryId(), expected);
        Assert.Equal(expected, ClusterSecret.DeriveClusterKey(key, catalog));

        using (var writer = catalog.CreateWriter())
        {
            writer.SetClusterSecretBox(null);
        }

        Assert.Null(ClusterSecret.DeriveClusterKey(key, catalog));
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Repositories;
using Isg.Protocol.Peers;

namespace Isg.Actors.Tests.Peers.Identity;

public sealed class NodeIdentityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_SelfSignedP256WithKey_DeviceIdIsTheHashOfItsDer()
    {
        using var identity = NodeIdentity.Create("laptop");

        Assert.True(identity.Certificate.HasPrivateKey);
        using var key = identity.Certificate.GetECDsaPublicKey()!;
        Assert.Equal(256, key.KeySize);
        Assert.Equal(identity.Certificate.Subject, identity.Certificate.Issuer);
        Assert.Equal(DeviceId.FromCertificateDer(identity.Certificate.RawData), identity.DeviceId);
        Assert.Equal("laptop", identity.DeviceName);
        Assert.DoesNotContain("PRIVATE", identity.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(identity.DeviceId, NodeIdentity.Create().DeviceId);
    }

    [Fact]
    public void LoadOrCreate_AbsentThenPresent_CreatesOwnerOnlyFilesOnceAndLoadsTheSameIdentity()
    {
        var directory = _dir.Combine("identity");
        Assert.Null(NodeIdentity.TryLoad(directory));

        using var created = NodeIdentity.LoadOrCreate(directory);
        using var loaded = NodeIdentity.LoadOrCreate(directory);
        using var tried = NodeIdentity.TryLoad(directory)!;

        Assert.Equal(created.DeviceId, loaded.DeviceId);
        Assert.Equal(created.DeviceId, tried.DeviceId);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, NodeIdentity.FileName)));
        Assert.Equal([NodeIdentity.FileName], Directory.GetFileSystemEntries(directory).Select(Path.GetFileName));

        // The loaded key signs what the stored certificate verifies.
        using var signer = loaded.Certificate.GetECDsaPrivateKey()!;
        using var verifier = created.Certificate.GetECDsaPublicKey()!;
        var signature = signer.SignData("hello"u8, HashAlgorithmName.SHA256);
        Assert.True(verifier.VerifyData("hello"u8, signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task LoadOrCreate_ManyProcessesAtOnce_AllGetTheSameIdentity()
    {
        var directory = _dir.Combine("identity");

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            using var identity = NodeIdentity.LoadOrCreate(directory);
            return identity.DeviceId;
        })));

        Assert.Single(ids.Distinct());
    }

    [Fact]
    public void LoadOrCreate_DamagedFile_ThrowsDamagedAndLeavesItAlone()
    {
        var directory = _dir.Combine("identity");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, NodeIdentity.FileName);
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<RepositoryException>(() => NodeIdentity.LoadOrCreate(directory));

        Assert.Equal(RepositoryErrorKind.Damaged, error.Kind);
        Assert.Contains("device id changes", error.Message, StringComparison.Ordinal);
        Assert.Contains("not base64", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_KeyOfAnotherCertificate_ThrowsDamaged()
    {
        var first = _dir.Combine("first");
        var second = _dir.Combine("second");
        NodeIdentity.LoadOrCreate(first).Dispose();
        NodeIdentity.LoadOrCreate(second).Dispose();
        var certificate = File.ReadAllText(Path.Combine(first, NodeIdentity.FileName)).Split("-----BEGIN PRIVATE KEY-----")[0];
        var key = "-----BEGIN PRIVATE KEY-----" + File.ReadAllText(Path.Combine(second, NodeIdentity.FileName)).Split("-----BEGIN PRIVATE KEY-----")[1];
        File.WriteAllText(Path.Combine(first, NodeIdentity.FileName), certificate + key);

        Assert.Equal(RepositoryErrorKind.Damaged, Assert.Throws<RepositoryException>(() => NodeIdentity.LoadOrCreate(first)).Kind);
    }
}

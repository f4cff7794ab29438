using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Repositories;

namespace Isg.Actors.Tests.Peers.Transport;

public sealed class TlsWarmupTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_WithAnIdentity_CompletesAndLeavesItAsItWas()
    {
        var directory = _dir.Combine("identity");
        using var identity = NodeIdentity.LoadOrCreate(directory);
        var before = File.ReadAllBytes(Path.Combine(directory, NodeIdentity.FileName));

        await TlsWarmup.Start(directory);

        Assert.Equal(before, File.ReadAllBytes(Path.Combine(directory, NodeIdentity.FileName)));
        using var again = NodeIdentity.TryLoad(directory)!;
        Assert.Equal(identity.DeviceId, again.DeviceId);
    }

    [Fact]
    public async Task Start_NoIdentityYet_CompletesWithoutCreatingOne()
    {
        var directory = _dir.Combine("identity");

        await TlsWarmup.Start(directory);

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Start_DamagedIdentity_CompletesAndLeavesTheErrorToTheNodesOwnLoad()
    {
        var directory = _dir.Combine("identity");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, NodeIdentity.FileName), "not a certificate");

        await TlsWarmup.Start(directory);

        Assert.Throws<RepositoryException>(() => NodeIdentity.TryLoad(directory));
    }
}

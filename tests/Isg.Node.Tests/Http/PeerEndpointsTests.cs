using System.Net;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Node.Http;
using Isg.Protocol.Hashing;
using Isg.Protocol.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Tests.Http;

/// <summary>`GET /api/peers` on a real Kestrel on 127.0.0.1, read back with the client `isg peer list` uses.</summary>
public sealed class PeerEndpointsTests : IAsyncLifetime
{
    private static readonly DeviceId s_local = DeviceId.FromHash(Hash256.Compute("local"u8));
    private static readonly DeviceId s_paired = DeviceId.FromHash(Hash256.Compute("paired"u8));
    private static readonly DeviceId s_cluster = DeviceId.FromHash(Hash256.Compute("cluster"u8));

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "isg-peer-api-" + Guid.NewGuid().ToString("N")[..12]);
    private CatalogDatabase? _catalog;
    private WebApplication? _app;

    public Task InitializeAsync()
    {
        _catalog = CatalogDatabase.Open(_directory);
        using var writer = _catalog.CreateWriter();
        writer.UpsertPeer(s_paired, "nas", ["10.0.0.2:7420"], PeerTrust.Paired);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _catalog?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GetPeers_RunningNode_ReportsLiveStateAndTraffic()
    {
        var since = DateTimeOffset.UtcNow.AddMinutes(-3);
        var status = new PeersStatus(s_local, new IPEndPoint(IPAddress.Loopback, 7420),
        [
            new PeerStatus(s_paired, "nas", PeerState.Connected, PeerTrust.Paired, ["10.0.0.2:7420"], new IPEndPoint(IPAddress.Parse("10.0.0.2"), 51000),
                since, DateTimeOffset.UtcNow, 1234, 5678, null),
            new PeerStatus(s_cluster, "lab", PeerState.Connecting, PeerTrust.Cluster, [], null, null, null, 0, 0, "refused"),
        ]);
        var baseUrl = await StartAsync(app => PeerEndpoints.Map(app, new StatusActor(status), _catalog!));

        var peers = await PeerApiClient.TryGetPeersAsync(baseUrl, null, CancellationToken.None);

        Assert.NotNull(peers);
        var nas = peers[s_paired.ToString()];
        Assert.Equal("connected", nas.GetProperty("state").GetString());
        Assert.Equal("paired", nas.GetProperty("trust").GetString());
        Assert.Equal(1234, nas.GetProperty("bytesIn").GetInt64());
        Assert.Equal(5678, nas.GetProperty("bytesOut").GetInt64());
        Assert.Equal("10.0.0.2:51000", nas.GetProperty("remoteAddress").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, nas.GetProperty("addedAt").ValueKind);
        var lab = peers[s_cluster.ToString()];
        Assert.Equal(("connecting", "cluster", "refused"), (lab.GetProperty("state").GetString(), lab.GetProperty("trust").GetString(), lab.GetProperty("lastError").GetString()));
    }

    [Fact]
    public async Task TryGetPeers_NodeWithoutTheEndpointOrNoNode_IsNull()
    {
        var baseUrl = await StartAsync(_ => { });

        Assert.Null(await PeerApiClient.TryGetPeersAsync(baseUrl, null, CancellationToken.None));
        await _app!.StopAsync();
        Assert.Null(await PeerApiClient.TryGetPeersAsync(baseUrl, null, CancellationToken.None));
    }

    private async Task<Uri> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address + "/");
    }

    /// <summary>Stands in for the peers actor: answers GetPeersStatus at once.</summary>
    private sealed class StatusActor(PeersStatus status) : IActorRef<IPeersCommand>
    {
        public string Path => "/$test/peers";

        public bool TryTell(IPeersCommand message)
        {
            Tell(message);
            return true;
        }

        public ValueTask TellAsync(IPeersCommand message, CancellationToken cancellationToken)
        {
            Tell(message);
            return ValueTask.CompletedTask;
        }

        public void Tell(IPeersCommand message)
        {
            if (message is GetPeersStatus get)
            {
                get.ReplyTo.Reply(status);
            }
        }
    }
}

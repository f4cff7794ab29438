using System.Net;
using Isg.Actors.Catalog;
using Isg.Actors.Peers;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;
using Isg.Protocol.Keys;
using Isg.Protocol.Peers;
using Isg.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests.Peers;

/// <summary>
/// One node of a peers-actor test, in this process: its own catalogue in a temp folder, identity and actor system, a
/// <see cref="PeersActor"/> listening on 127.0.0.1 (port 0 unless given), an inbound router that echoes BlockRequests,
/// and a probe subscribed to its peer events. Nodes built with the same <see cref="RepositoryKey"/> hold the same
/// repository.
/// </summary>
public sealed class PeersNode : IAsyncDisposable
{
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    private readonly IDisposable _echo;

    private PeersNode(string name, RepositoryKey key, TempDirectory directory, NodeIdentity identity, CatalogDatabase catalog, int port)
    {
        Name = name;
        Key = key;
        Directory = directory;
        Identity = identity;
        Catalog = catalog;
        _echo = Router.Register(new DelegateHandler(), Isg.Protocol.Peers.Wire.PeerFrame.BodyOneofCase.BlockRequest);
        Options = new PeersOptions
        {
            ListenEndPoint = new IPEndPoint(IPAddress.Loopback, port),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
            RefreshInterval = TimeSpan.FromMinutes(10),
        };
        System = new ActorSystem(name);
        Peers = System.Spawn<IPeersCommand>("peers", () => new PeersActor(Identity, Key, Catalog, Router, Options), MailboxOptions.Unbounded);
        Peers.Tell(new SubscribePeerEvents(Events));
    }

    public string Name { get; }

    public RepositoryKey Key { get; }

    public TempDirectory Directory { get; }

    public NodeIdentity Identity { get; }

    public DeviceId DeviceId => Identity.DeviceId;

    public CatalogDatabase Catalog { get; }

    public PeerInboundRouter Router { get; } = new();

    public PeersOptions Options { get; }

    public ActorSystem System { get; }

    public IActorRef<IPeersCommand> Peers { get; }

    public TestProbe<PeerEvent> Events { get; } = new("events");

    /// <summary>Starts a node with a fresh catalogue and identity.</summary>
    public static PeersNode Create(string name, RepositoryKey key, int port = 0)
    {
        var directory = new TempDirectory();
        return new PeersNode(name, key, directory, NodeIdentity.Create(name), CatalogDatabase.Open(directory.Path), port);
    }

    /// <summary>Starts another node on the same catalogue and identity, listening on <paramref name="port"/> (a restart).</summary>
    public PeersNode Restart(int port) => new(Name, Key, Directory, Identity, Catalog, port);

    public async Task<PeersStatus> StatusAsync() =>
        await Peers.AskAsync<IPeersCommand, PeersStatus>(r => new GetPeersStatus(r), Within, CancellationToken.None);

    /// <summary>Adds <paramref name="other"/> to this node's peers table (with its address when asked) and reloads.</summary>
    public async Task PairAsync(PeersNode other, bool withAddress) =>
        await PairAsync(other.DeviceId, other.Name, withAddress ? await other.ListenAsync() : null);

    /// <summary>Adds <paramref name="device"/> to this node's peers table (with <paramref name="address"/> when given) and reloads.</summary>
    public async Task PairAsync(DeviceId device, string name, EndPoint? address)
    {
        using (var writer = Catalog.CreateWriter())
        {
            writer.UpsertPeer(device, name, address is null ? null : [PeerAddress.Format(address)], PeerTrust.Paired);
        }

        await ReloadAsync();
    }

    public async Task<IPEndPoint> ListenAsync() => (await StatusAsync()).ListenEndPoint!;

    public async Task<PeersReloaded> ReloadAsync() =>
        await Peers.AskAsync<IPeersCommand, PeersReloaded>(r => new ReloadPeers(r), Within, CancellationToken.None);

    public async Task<IPeerSession?> SessionAsync(DeviceId device) =>
        await Peers.AskAsync<IPeersCommand, IPeerSession?>(r => new GetPeerSession(device, r), Within, CancellationToken.None);

    public async Task<IReadOnlyList<IPeerSession>> ConnectedAsync() =>
        await Peers.AskAsync<IPeersCommand, IReadOnlyList<IPeerSession>>(r => new GetConnectedPeers(r), Within, CancellationToken.None);

    /// <summary>Waits for a PeerConnected event for <paramref name="device"/>, skipping others.</summary>
    public async Task<PeerConnected> ExpectConnectedAsync(DeviceId device, Func<PeerConnected, bool>? also = null) =>
        (PeerConnected)await Events.FishForMessageAsync(e => e is PeerConnected c && c.Device == device && (also?.Invoke(c) ?? true), Within);

    /// <summary>Waits until a PeerConnected event has come for every one of <paramref name="devices"/>, in any order.</summary>
    public async Task ExpectConnectedToAllAsync(IEnumerable<DeviceId> devices)
    {
        var missing = devices.ToHashSet();
        while (missing.Count > 0)
        {
            var connected = (PeerConnected)await Events.FishForMessageAsync(e => e is PeerConnected c && missing.Contains(c.Device), Within);
            missing.Remove(connected.Device);
        }
    }

    public async Task<PeerDisconnected> ExpectDisconnectedAsync(DeviceId device) =>
        (PeerDisconnected)await Events.FishForMessageAsync(e => e is PeerDisconnected d && d.Device == device, Within);

    public PeerRecord? Record(DeviceId device)
    {
        using var reader = Catalog.CreateReader();
        return reader.GetPeer(device);
    }

    /// <summary>Stops the actor system only (the catalogue, identity and folder stay for a restart).</summary>
    public ValueTask StopAsync() => System.ShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await System.ShutdownAsync();
        _echo.Dispose();
    }

    /// <summary>Disposes the actor system, catalogue, identity and folder.</summary>
    public async ValueTask DestroyAsync()
    {
        await DisposeAsync();
        Catalog.Dispose();
        Identity.Dispose();
        Directory.Dispose();
    }
}

using System.Net;
using Isg.Actors.Discovery;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Protocol.Peers;

namespace Isg.Actors.Hosting;

/// <summary>
/// Hands what discovery finds to the peers actor: addresses of known device ids, and addresses without an id (static
/// HOST:PORT, a DNS name's records), which the peers actor dials to learn who is there. Remembers the latest of each, so
/// that <see cref="Replay"/> can tell a restarted peers actor again what its earlier instance knew (discovery reports
/// changes only). Thread-safe; messages before <see cref="Attach"/> are remembered and sent by the next replay.
/// </summary>
public sealed class DiscoveryBridge : IReplyTo<IDiscoveryEvent>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DeviceId, IReadOnlyList<IPEndPoint>> _addresses = [];
    private readonly Dictionary<DiscoverySource, IReadOnlyList<IPEndPoint>> _endpoints = [];
    private IActorRef<IPeersCommand>? _peers;

    /// <summary>Creates a bridge with no peers actor yet (see <see cref="Attach"/>).</summary>
    public DiscoveryBridge()
    {
    }

    /// <summary>Creates a bridge to <paramref name="peers"/>.</summary>
    public DiscoveryBridge(IActorRef<IPeersCommand> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _peers = peers;
    }

    /// <summary>Sets the peers actor (once it exists) and replays what was found meanwhile.</summary>
    public void Attach(IActorRef<IPeersCommand> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        lock (_lock)
        {
            _peers = peers;
        }

        Replay();
    }

    /// <inheritdoc />
    public void Reply(IDiscoveryEvent message)
    {
        lock (_lock)
        {
            switch (message)
            {
                case Discovery.PeerAddressesFound found:
                    _addresses[found.Id] = found.Endpoints;
                    _peers?.Tell(new Peers.PeerAddressesFound(found.Id, found.Endpoints));
                    break;
                case Discovery.PeerEndpointsFound found:
                    _endpoints[found.Source] = found.Endpoints;
                    _peers?.Tell(new Peers.PeerEndpointsFound(found.Source.ToString(), found.Endpoints));
                    break;
            }
        }
    }

    /// <summary>Tells the peers actor again the latest addresses of each device and each source (safe to resend).</summary>
    public void Replay()
    {
        lock (_lock)
        {
            if (_peers is not { } peers)
            {
                return;
            }

            foreach (var (device, endpoints) in _addresses)
            {
                peers.Tell(new Peers.PeerAddressesFound(device, endpoints));
            }

            foreach (var (source, endpoints) in _endpoints)
            {
                peers.Tell(new Peers.PeerEndpointsFound(source.ToString(), endpoints));
            }
        }
    }
}

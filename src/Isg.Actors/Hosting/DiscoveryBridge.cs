using Isg.Actors.Discovery;
using Isg.Actors.Peers;
using Isg.Actors.Runtime;

namespace Isg.Actors.Hosting;

/// <summary>Hands addresses discovery finds for a known device id to the peers actor, which dials trusted ones.</summary>
public sealed class DiscoveryBridge(IActorRef<IPeersCommand> peers) : IReplyTo<IDiscoveryEvent>
{
    /// <inheritdoc />
    public void Reply(IDiscoveryEvent message)
    {
        // Endpoints without a device id (a DNS name's records) are not dialled blind: only paired devices are.
        if (message is Discovery.PeerAddressesFound found)
        {
            peers.Tell(new Peers.PeerAddressesFound(found.Id, found.Endpoints));
        }
    }
}

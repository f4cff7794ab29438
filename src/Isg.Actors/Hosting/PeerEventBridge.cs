using Isg.Actors.Peers;
using Isg.Actors.Runtime;
using Isg.Actors.Swarm;
using Isg.Actors.Sync;

namespace Isg.Actors.Hosting;

/// <summary>Hands the peers actor's connect and disconnect events to the sync and swarm actors.</summary>
public sealed class PeerEventBridge(IActorRef<ISyncCommand> sync, IActorRef<ISwarmCommand> swarm) : IReplyTo<PeerEvent>
{
    /// <inheritdoc />
    public void Reply(PeerEvent message)
    {
        switch (message)
        {
            case PeerConnected connected:
                sync.Tell(new PeerJoined(connected.Session));
                swarm.Tell(new SwarmPeerUp(connected.Session));
                break;
            case PeerDisconnected disconnected:
                sync.Tell(new PeerLeft(disconnected.Device));
                swarm.Tell(new SwarmPeerDown(disconnected.Device));
                break;
        }
    }
}

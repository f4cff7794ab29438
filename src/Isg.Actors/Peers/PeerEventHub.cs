using Isg.Actors.Runtime;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers;

/// <summary>
/// The node's peer events, outliving the actors that send and receive them: the peers actor publishes here for its
/// whole life (across restarts, see <see cref="PeersActor"/>), and the sync and swarm actors subscribe from their start
/// hook, so that an actor restarted by its supervisor is told again at once of every peer connected now. Keeps the
/// latest session per connected device. Thread-safe; subscribers are called under a lock and must not block (an
/// actor's Tell is fine).
/// </summary>
public sealed class PeerEventHub : IReplyTo<PeerEvent>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DeviceId, PeerConnected> _connected = [];
    private readonly List<IReplyTo<PeerEvent>> _subscribers = [];

    /// <summary>The devices connected now (a snapshot).</summary>
    public IReadOnlyList<DeviceId> Connected
    {
        get
        {
            lock (_lock)
            {
                return [.. _connected.Keys];
            }
        }
    }

    /// <summary>Publishes <paramref name="message"/> to every subscriber, in the order events arrive.</summary>
    public void Reply(PeerEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            switch (message)
            {
                case PeerConnected connected:
                    _connected[connected.Device] = connected;
                    break;
                case PeerDisconnected disconnected when _connected.TryGetValue(disconnected.Device, out var current)
                    && ReferenceEquals(current.Session, disconnected.Session):
                    _connected.Remove(disconnected.Device);
                    break;
            }

            foreach (var subscriber in _subscribers)
            {
                subscriber.Reply(message);
            }
        }
    }

    /// <summary>
    /// Subscribes <paramref name="subscriber"/>: a <see cref="PeerConnected"/> at once for each device connected now,
    /// then every event as it comes. Dispose the result to unsubscribe (idempotent).
    /// </summary>
    public IDisposable Subscribe(IReplyTo<PeerEvent> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_lock)
        {
            _subscribers.Add(subscriber);
            foreach (var connected in _connected.Values)
            {
                subscriber.Reply(connected);
            }
        }

        return new Subscription(this, subscriber);
    }

    private void Unsubscribe(IReplyTo<PeerEvent> subscriber)
    {
        lock (_lock)
        {
            _subscribers.RemoveAll(s => ReferenceEquals(s, subscriber));
        }
    }

    private sealed class Subscription(PeerEventHub hub, IReplyTo<PeerEvent> subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Unsubscribe(subscriber);
            }
        }
    }
}

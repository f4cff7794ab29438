using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;

namespace Isg.Actors.Peers;

/// <summary>
/// One connected peer (/node/peers/&lt;short device id&gt;): lives while the device is connected and holds its current
/// session (a duplicate connection that wins replaces it). The place for per-peer state such as a want-list.
/// </summary>
public sealed class PeerActor(IPeerSession session) : Actor<IPeerCommand>
{
    private IPeerSession _session = session;

    /// <inheritdoc />
    protected override ValueTask HandleAsync(IPeerCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case GetSession get:
                get.ReplyTo.Reply(_session);
                break;
            case SessionReplaced replaced:
                _session = replaced.Session;
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }
}

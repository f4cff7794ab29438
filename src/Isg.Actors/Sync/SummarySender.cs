using Isg.Actors.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Sync;

/// <summary>
/// Sends one connected peer this node's summaries, one at a time and in the order they were made; when several wait
/// behind a send, only the latest goes. A peer takes each summary it gets as the whole truth, so one overtaken by an
/// older one left it with a stale view: the root-less "the log grew" summary landing after the rooted one that
/// followed it made the peer count this node as out of step until the next drift check resent the root, up to 30 s.
/// Sends ran as separate tasks and were overtaken that way while the connection's send budget was full of blocks.
/// Thread-safe.
/// </summary>
internal sealed class SummarySender(IPeerLink link, ILogger logger, CancellationToken cancellation)
{
    private readonly Lock _lock = new();
    private SyncSummary? _next;
    private bool _sending;

    /// <summary>Sends <paramref name="summary"/> after the one being sent, instead of any made before it and not sent yet.</summary>
    public void Send(SyncSummary summary)
    {
        lock (_lock)
        {
            _next = summary;
            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        _ = Task.Run(SendWaitingAsync, CancellationToken.None);
    }

    private async Task SendWaitingAsync()
    {
        while (true)
        {
            SyncSummary summary;
            lock (_lock)
            {
                if (_next is null)
                {
                    _sending = false;
                    return;
                }

                summary = _next;
                _next = null;
            }

            try
            {
                await link.SendAsync(new PeerFrame { SyncSummary = summary }, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PeerUnavailableException or OperationCanceledException)
            {
                // The connection is closing; its successor is sent a summary when it joins.
                logger.LogDebug("summary to {Peer} not sent: {Reason}", link.Remote.ShortId, e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Anything else must not end the loop either, or this peer would get no summary again.
                logger.LogWarning(e, "summary to {Peer} not sent", link.Remote.ShortId);
            }
        }
    }
}

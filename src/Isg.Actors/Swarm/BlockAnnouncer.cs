using Isg.Actors.Peers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Swarm;

/// <summary>
/// Gathers the blocks an add stores on this node and tells connected peers of them in <see cref="BlockAnnouncement"/>
/// frames: at once when a batch is full, else when its owner's short timer fires (a frame per few milliseconds rather
/// than per block). Frames are sent off the caller's thread. Not thread-safe: owned by the swarm actor.
/// </summary>
internal sealed class BlockAnnouncer(int batch, ILogger logger)
{
    private readonly List<BlockAnnouncement> _pending = [];

    /// <summary>True while a flush is scheduled by the owner (set and cleared by it).</summary>
    public bool FlushScheduled { get; set; }

    /// <summary>Adds a stored block; true when the batch is full and should be sent now.</summary>
    public bool Add(BlockAnnouncement block)
    {
        _pending.Add(block);
        return _pending.Count >= batch;
    }

    /// <summary>Sends the blocks gathered since the last time to each of <paramref name="peers"/> and forgets them.</summary>
    public void SendTo(IEnumerable<IPeerLink> peers)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var frame = BlockAnnouncement.ToFrame(_pending);
        _pending.Clear();
        foreach (var link in peers)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await link.SendAsync(frame, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PeerUnavailableException or OperationCanceledException)
                {
                    logger.LogDebug("block announcement to {Peer} not sent: {Reason}", link.Remote.ShortId, e.Message);
                }
            }, CancellationToken.None);
        }
    }
}

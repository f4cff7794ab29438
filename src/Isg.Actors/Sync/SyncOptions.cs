using Isg.Actors.Peers;
using Isg.Protocol.Peers;

namespace Isg.Actors.Sync;

/// <summary>How the sync actor paces itself.</summary>
public sealed record SyncOptions
{
    /// <summary>
    /// How often the log is checked for growth to announce that no <see cref="CatalogWritten"/> told of (commands that
    /// write the catalogue from processes of their own), and drift and collection are considered. Writes in this
    /// process are announced within <see cref="WriteCheckDelay"/> instead. An idle node wakes this often: at the 25 ms
    /// of old, two idle nodes each spent 20-30 ms of CPU a second on it.
    /// </summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long after a <see cref="CatalogWritten"/> the log is checked: writes within it are announced together (an add
    /// commits in batches). Null: writes are seen at the next tick only (tests that keep a node quiet).
    /// </summary>
    public TimeSpan? WriteCheckDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long a pull from one peer may go without the log growing here before the pulls it put off (of peers whose
    /// operations it was bringing too) start anyway: a stalled peer holds up the others this long at most.
    /// </summary>
    public TimeSpan PullPatience { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after a failed pull (a request that timed out, a catalogue that was busy) it is tried again; doubled
    /// after each further failure in a row, up to <see cref="DriftInterval"/>.
    /// </summary>
    public TimeSpan PullRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often roots are compared with in-step peers to detect drift.</summary>
    public TimeSpan DriftInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often operations every member has seen are collected.</summary>
    public TimeSpan CollectInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one catalogue transaction may take before the ask gives up.</summary>
    public TimeSpan ApplyTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Called (on a pool thread) after each page of peer operations that changed the catalogue.</summary>
    public Action OperationsApplied { get; init; } = () => { };

    /// <summary>The members of the cluster (paired devices), whose views bound what may be collected.</summary>
    public Func<IReadOnlyCollection<DeviceId>> Members { get; init; } = () => [];

    /// <summary>
    /// Where the actor learns of connected peers by itself: subscribed from its start hook (each peer connected now
    /// arrives at once), so that a restarted actor gets its peers back. Null: peers come as PeerJoined/PeerLeft only.
    /// </summary>
    public PeerEventHub? PeerEvents { get; init; }

    /// <summary>Called (on the actor's thread) after each pull from a peer ends, unless the actor sets its own; for tests and progress displays.</summary>
    public Action<PeerSyncState>? PullCompleted { get; init; }
}

using Isg.Actors.Peers;

namespace Isg.Actors.Swarm;

/// <summary>How the swarm fetches.</summary>
public sealed record SwarmOptions
{
    /// <summary>True: fetch every wanted block in the background (a full replica). False: only on demand (catalogue-only node).</summary>
    public bool FetchAll { get; init; } = true;

    /// <summary>Requests in flight to one peer at most (pipelined on its connection: small blocks need many to keep it busy).</summary>
    public int PerPeerRequests { get; init; } = 32;

    /// <summary>Blocks being fetched at once at most.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>
    /// Plaintext bytes being fetched at once at most (each fetch holds its sealed block and, while checking it, the
    /// plaintext): bounds memory when blocks are large, while many small ones still run together. One fetch always runs.
    /// </summary>
    public long MaxBytesInFlight { get; init; } = 24L << 20;

    /// <summary>
    /// Sealed bytes of the blocks stored here last that stay in memory for peers that fetch them at once (see
    /// <see cref="RecentBlocks"/>); 0 keeps none. Costs up to this much memory, plus pooled-buffer rounding, while adding.
    /// </summary>
    public long RecentBytes { get; init; } = 32L << 20;

    /// <summary>How long blocks stored by an add here are gathered before peers are told of them.</summary>
    public TimeSpan AnnounceDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Peers are told at once when this many stored blocks are waiting to be announced.</summary>
    public int AnnounceBatch { get; init; } = 256;

    /// <summary>Fetches of blocks peers announced (ahead of entries naming them) waiting at a time at most.</summary>
    public int MaxAnnouncedPending { get; init; } = 1024;

    /// <summary>How often the wanted list is read when idle.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How old a count of wanted blocks a status may give while blocks are in flight. Counting scans the catalogue's
    /// blocks (tens of milliseconds with 100,000 files) and status is polled during fetches; with nothing in flight
    /// the count is always fresh, so "converged" never rests on a stale count.
    /// </summary>
    public TimeSpan WantedCountMaxAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a block that no connected peer had waits before it is asked again.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long recording a fetched block in the catalogue may take.</summary>
    public TimeSpan RecordTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where the actor learns of connected peers by itself: subscribed from its start hook (each peer connected now
    /// arrives at once), so that a restarted actor gets its peers back. Null: peers come as SwarmPeerUp/Down only.
    /// </summary>
    public PeerEventHub? PeerEvents { get; init; }
}

using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>
/// Timings and limits of the mDNS responder and browser. The defaults are RFC 6762's; tests shorten them. Validate
/// with <see cref="Validate"/> (the engine does on creation).
/// </summary>
public sealed record MdnsOptions
{
    /// <summary>The service type browsed and announced: <c>_isg._tcp.local</c>.</summary>
    public DnsName ServiceType { get; init; } = DnsName.Parse("_isg._tcp.local");

    /// <summary>The mDNS domain host names live in.</summary>
    public DnsName Domain { get; init; } = DnsName.Parse("local");

    /// <summary>The first probe waits a random time up to this (RFC 6762 §8.1: 250 ms).</summary>
    public TimeSpan ProbeDelayMax { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Time between probes, and after the last one before announcing (250 ms).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Probes sent before a name is taken as ours (3).</summary>
    public int ProbeCount { get; init; } = 3;

    /// <summary>Ask for unicast replies to probes (QU). Off by default: peers sharing port 5353 may get unicast replies meant for us.</summary>
    public bool ProbeUnicastResponse { get; init; }

    /// <summary>After losing a simultaneous-probe tie-break, wait this long before probing again (RFC 6762 §8.2: 1 s).</summary>
    public TimeSpan ProbeDeferDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After this many conflicts within <see cref="ConflictWindow"/>, probe no faster than <see cref="ConflictBackoff"/> (15 in 10 s → 5 s).</summary>
    public int ConflictLimit { get; init; } = 15;

    /// <summary>The window of <see cref="ConflictLimit"/>.</summary>
    public TimeSpan ConflictWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The probe delay once conflicts come too fast.</summary>
    public TimeSpan ConflictBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Unsolicited announcements after probing (at least 2, RFC 6762 §8.3).</summary>
    public int AnnounceCount { get; init; } = 2;

    /// <summary>Time between the first two announcements; it doubles for each further one (1 s).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>TTL of records naming a host: SRV, A, AAAA and their NSEC (RFC 6762 §10: 120 s).</summary>
    public TimeSpan HostRecordTtl { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>TTL of other records: PTR, TXT (RFC 6762 §10: 75 minutes).</summary>
    public TimeSpan OtherRecordTtl { get; init; } = TimeSpan.FromMinutes(75);

    /// <summary>The first browse query waits a random time in [<see cref="QueryDelayMin"/>, <see cref="QueryDelayMax"/>] (20–120 ms).</summary>
    public TimeSpan QueryDelayMin { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>See <see cref="QueryDelayMin"/>.</summary>
    public TimeSpan QueryDelayMax { get; init; } = TimeSpan.FromMilliseconds(120);

    /// <summary>Time between the first two browse queries; it doubles after each one (RFC 6762 §5.2: at least 1 s).</summary>
    public TimeSpan QueryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest time between browse queries (60 minutes).</summary>
    public TimeSpan QueryIntervalMax { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Queries sent to resolve an instance's SRV, TXT and addresses before waiting for the next browse answer (4).</summary>
    public int ResolveAttempts { get; init; } = 4;

    /// <summary>A response with shared records waits a random time in [<see cref="ResponseDelayMin"/>, <see cref="ResponseDelayMax"/>] (20–120 ms, RFC 6762 §6).</summary>
    public TimeSpan ResponseDelayMin { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>See <see cref="ResponseDelayMin"/>.</summary>
    public TimeSpan ResponseDelayMax { get; init; } = TimeSpan.FromMilliseconds(120);

    /// <summary>A response to a query with TC set waits a random time in [400, 500] ms for the rest of the known answers (RFC 6762 §7.2).</summary>
    public TimeSpan TruncatedDelayMin { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>See <see cref="TruncatedDelayMin"/>.</summary>
    public TimeSpan TruncatedDelayMax { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A record is multicast at most once per this interval (RFC 6762 §6.2: 1 s), except in defence of a probed name.</summary>
    public TimeSpan MulticastRateLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The rate limit when answering a probe for a name we own (250 ms).</summary>
    public TimeSpan ProbeDefenceRateLimit { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest packet we send (IPv4 or IPv6 over a 1500-byte MTU, with room to spare).</summary>
    public int MaxPacketSize { get; init; } = 1440;

    /// <summary>The most records the cache holds; beyond it, new records are dropped (a flood cannot exhaust memory).</summary>
    public int MaxCacheRecords { get; init; } = 4096;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is unusable.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ServiceType);
        ArgumentNullException.ThrowIfNull(Domain);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeDelayMax, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ProbeInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ProbeCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeDeferDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ConflictLimit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AnnounceCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AnnounceInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(HostRecordTtl, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(OtherRecordTtl, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueryDelayMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueryDelayMax, QueryDelayMin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueryInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueryIntervalMax, QueryInterval);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ResolveAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(ResponseDelayMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ResponseDelayMax, ResponseDelayMin);
        ArgumentOutOfRangeException.ThrowIfLessThan(TruncatedDelayMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(TruncatedDelayMax, TruncatedDelayMin);
        ArgumentOutOfRangeException.ThrowIfLessThan(MulticastRateLimit, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeDefenceRateLimit, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacketSize, 512);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxPacketSize, 9000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxCacheRecords);
    }
}

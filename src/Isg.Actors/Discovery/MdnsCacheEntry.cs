using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>One cached record: as received (its original TTL), when, on which interface, and when it expires or should be refreshed.</summary>
internal sealed class MdnsCacheEntry(DnsRecord record, DateTimeOffset receivedAt, int interfaceIndex)
{
    /// <summary>The record as last received.</summary>
    public DnsRecord Record { get; set; } = record;

    /// <summary>When it was last received.</summary>
    public DateTimeOffset ReceivedAt { get; set; } = receivedAt;

    /// <summary>The interface it came in on (scopes IPv6 link-local addresses).</summary>
    public int InterfaceIndex { get; set; } = interfaceIndex;

    /// <summary>When it leaves the cache.</summary>
    public DateTimeOffset ExpiresAt { get; set; } = receivedAt + TimeSpan.FromSeconds(record.Ttl);

    /// <summary>Refresh queries already due for this reception (0 to 4: at 80, 85, 90 and 95 % of the TTL).</summary>
    public int RefreshStep { get; set; }

    /// <summary>When the next refresh query is due, or null when none is left.</summary>
    public DateTimeOffset? NextRefreshAt { get; set; }

    /// <summary>Seconds left to live at <paramref name="now"/> (0 once expired).</summary>
    public uint RemainingTtl(DateTimeOffset now) => ExpiresAt <= now ? 0 : (uint)Math.Ceiling((ExpiresAt - now).TotalSeconds);
}

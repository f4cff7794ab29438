using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>
/// Records heard from other responders, each until its TTL runs out (RFC 6762 §5.2, §10). A goodbye (TTL 0) and a
/// cache-flush record make the records they end expire one second later (§10.1, §10.2); records due for a refresh
/// query (80, 85, 90, 95 % of the TTL, plus up to 2 % at random) are handed to the browser. Bounded: beyond
/// <see cref="MdnsOptions.MaxCacheRecords"/> new records are dropped. Not thread-safe.
/// </summary>
internal sealed class MdnsCache(MdnsOptions options, Random random)
{
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(1);
    private static readonly double[] s_refreshPoints = [0.80, 0.85, 0.90, 0.95];

    private readonly List<MdnsCacheEntry> _entries = [];

    /// <summary>Records held.</summary>
    public int Count => _entries.Count;

    /// <summary>Records dropped because the cache was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>The earliest expiry or refresh time, or null when empty.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var entry in _entries)
            {
                next = Min(next, entry.ExpiresAt);
                next = Min(next, entry.NextRefreshAt);
            }

            return next;
        }
    }

    /// <summary>
    /// Takes in the records of one response received at <paramref name="now"/> on <paramref name="interfaceIndex"/>.
    /// True when a record was added or its data changed (what a browser reconciles on); expiries show up later.
    /// </summary>
    public bool Apply(IReadOnlyList<DnsRecord> records, int interfaceIndex, DateTimeOffset now)
    {
        foreach (var flush in records)
        {
            if (!flush.CacheFlush || flush.Ttl == 0)
            {
                continue;
            }

            // Older records of the same name, type and class that this packet does not repeat are replaced: they go
            // in one second, so several packets of one announcement do not flush each other.
            foreach (var entry in _entries)
            {
                if (entry.ReceivedAt < now - s_grace && entry.ExpiresAt > now + s_grace && entry.Record.Type == flush.Type
                    && entry.Record.Class == flush.Class && entry.Record.Name.Equals(flush.Name)
                    && !records.Any(r => DnsRecord.SameData.Equals(r, entry.Record)))
                {
                    ExpireSoon(entry, now);
                }
            }
        }

        var changed = false;
        foreach (var record in records)
        {
            var entry = Find(record);
            if (record.Ttl == 0)
            {
                if (entry is not null && entry.ExpiresAt > now + s_grace)
                {
                    ExpireSoon(entry, now);
                }

                continue;
            }

            if (entry is null)
            {
                if (_entries.Count >= options.MaxCacheRecords)
                {
                    Dropped++;
                    continue;
                }

                entry = new MdnsCacheEntry(record, now, interfaceIndex);
                _entries.Add(entry);
                changed = true;
            }
            else
            {
                entry.Record = record;
                entry.ReceivedAt = now;
                entry.ExpiresAt = now + TimeSpan.FromSeconds(record.Ttl);
                entry.InterfaceIndex = interfaceIndex;
                entry.RefreshStep = 0;
            }

            ScheduleRefresh(entry);
        }

        return changed;
    }

    /// <summary>The live records of <paramref name="name"/> and <paramref name="type"/>, with their entries.</summary>
    public IEnumerable<MdnsCacheEntry> Get(DnsName name, DnsRecordType type, DateTimeOffset now) =>
        _entries.Where(e => e.ExpiresAt > now && e.Record.Type == type && e.Record.Name.Equals(name));

    /// <summary>
    /// The known answers to put in a query for <paramref name="question"/> (RFC 6762 §7.1): live records answering it
    /// with more than half their TTL left, carrying the TTL they have left.
    /// </summary>
    public IEnumerable<DnsRecord> KnownAnswers(DnsQuestion question, DateTimeOffset now) =>
        _entries
            .Where(e => e.ExpiresAt > now && question.IsAnsweredBy(e.Record) && e.RemainingTtl(now) * 2 > e.Record.Ttl)
            .Select(e => e.Record.WithTtl(e.RemainingTtl(now)).WithCacheFlush(false));

    /// <summary>Removes expired records; returns them.</summary>
    public IReadOnlyList<DnsRecord> RemoveExpired(DateTimeOffset now)
    {
        var expired = new List<DnsRecord>();
        _entries.RemoveAll(e =>
        {
            if (e.ExpiresAt > now)
            {
                return false;
            }

            expired.Add(e.Record);
            return true;
        });
        return expired;
    }

    /// <summary>Entries whose refresh query is due; each moves on to its next refresh point.</summary>
    public IReadOnlyList<MdnsCacheEntry> TakeDueRefreshes(DateTimeOffset now)
    {
        var due = new List<MdnsCacheEntry>();
        foreach (var entry in _entries)
        {
            if (entry.NextRefreshAt is { } at && at <= now && entry.ExpiresAt > now)
            {
                due.Add(entry);
                entry.RefreshStep++;
                ScheduleRefresh(entry);
            }
        }

        return due;
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static void ExpireSoon(MdnsCacheEntry entry, DateTimeOffset now)
    {
        entry.ExpiresAt = now + s_grace;
        entry.NextRefreshAt = null;
        entry.RefreshStep = s_refreshPoints.Length;
    }

    private MdnsCacheEntry? Find(DnsRecord record) => _entries.Find(e => DnsRecord.SameData.Equals(e.Record, record));

    private void ScheduleRefresh(MdnsCacheEntry entry)
    {
        if (entry.RefreshStep >= s_refreshPoints.Length)
        {
            entry.NextRefreshAt = null;
            return;
        }

        var fraction = s_refreshPoints[entry.RefreshStep] + (random.NextDouble() * 0.02);
        entry.NextRefreshAt = entry.ReceivedAt + TimeSpan.FromSeconds(entry.Record.Ttl * fraction);
    }
}

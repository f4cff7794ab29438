using System.Net;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>
/// The browser half of the mDNS engine, without I/O: it queries for the service type's PTR records (first after
/// 20–120 ms, then 1 s, 2 s, 4 s, ... up to an hour apart, RFC 6762 §5.2), with the answers it already knows
/// (§7.1); resolves each instance's SRV, TXT and host addresses from the cache, asking for what is missing; sends the
/// cache's refresh queries; and reports instances that resolve, change or go away. Not thread-safe.
/// </summary>
internal sealed class MdnsBrowser
{
    private readonly MdnsOptions _options;
    private readonly Random _random;
    private readonly MdnsCache _cache;
    private readonly Action<MdnsPacket> _send;
    private readonly Action<IMdnsEvent> _report;
    private readonly Func<DnsName, bool> _isOwnInstance;
    private readonly Dictionary<DnsName, InstanceState> _instances = [];
    private DateTimeOffset? _nextQueryAt;
    private TimeSpan _interval;

    public MdnsBrowser(MdnsOptions options, Random random, MdnsCache cache, Action<MdnsPacket> send, Action<IMdnsEvent> report,
        Func<DnsName, bool> isOwnInstance)
    {
        _options = options;
        _random = random;
        _cache = cache;
        _send = send;
        _report = report;
        _isOwnInstance = isOwnInstance;
        _interval = options.QueryInterval;
    }

    /// <summary>The instances resolved now.</summary>
    public IEnumerable<MdnsServiceInstance> Services => _instances.Values.Where(s => s.Reported is not null).Select(s => s.Reported!);

    /// <summary>When <see cref="Tick"/> next has a query to send (cache deadlines come from the cache), or null.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            var next = _nextQueryAt;
            foreach (var state in _instances.Values)
            {
                if (state.NextResolveAt is { } at && (next is null || at < next))
                {
                    next = at;
                }
            }

            return next;
        }
    }

    /// <summary>Schedules the first query.</summary>
    public void Start(DateTimeOffset now) =>
        _nextQueryAt = now + _options.QueryDelayMin + ((_options.QueryDelayMax - _options.QueryDelayMin) * _random.NextDouble());

    /// <summary>
    /// True for records worth caching: the service type's PTR records, records of its instances, and records of a
    /// host that an instance's SRV (cached or in <paramref name="packet"/>) points at.
    /// </summary>
    public bool IsRelevant(DnsRecord record, IReadOnlyList<DnsRecord> packet, DateTimeOffset now)
    {
        if (record.Name.Equals(_options.ServiceType))
        {
            return record is PtrRecord;
        }

        if (record.Name.Parent.Equals(_options.ServiceType))
        {
            return record is SrvRecord or TxtRecord or NsecRecord;
        }

        if (record is not (AddressRecord or NsecRecord))
        {
            return false;
        }

        return packet.Any(r => r is SrvRecord srv && srv.Name.Parent.Equals(_options.ServiceType) && srv.Target.Equals(record.Name))
            || _instances.Keys.Any(instance => _cache.Get(instance, DnsRecordType.Srv, now).Any(e => ((SrvRecord)e.Record).Target.Equals(record.Name)));
    }

    /// <summary>Sends the queries that are due: the browse query, resolving queries, refresh queries.</summary>
    public void Tick(DateTimeOffset now)
    {
        var questions = new List<DnsQuestion>();
        if (_nextQueryAt <= now)
        {
            questions.Add(new DnsQuestion(_options.ServiceType, DnsRecordType.Ptr));
            _nextQueryAt = now + _interval;
            _interval = _interval * 2 > _options.QueryIntervalMax ? _options.QueryIntervalMax : _interval * 2;
        }

        foreach (var (instance, state) in _instances)
        {
            if (state.NextResolveAt is not { } at || at > now)
            {
                continue;
            }

            questions.AddRange(MissingFor(instance, now));
            state.Attempts++;
            state.NextResolveAt = state.Attempts < _options.ResolveAttempts
                ? now + (_options.QueryInterval * (1 << Math.Min(state.Attempts - 1, 20)))
                : null;
        }

        foreach (var entry in _cache.TakeDueRefreshes(now))
        {
            questions.Add(new DnsQuestion(entry.Record.Name, entry.Record.Type));
        }

        questions = [.. questions.Distinct()];
        if (questions.Count == 0)
        {
            return;
        }

        var known = questions.SelectMany(q => _cache.KnownAnswers(q, now)).Distinct(DnsRecord.SameData).ToList();
        foreach (var message in MdnsPackets.Queries(questions, known, [], _options.MaxPacketSize))
        {
            _send(new MdnsPacket(message, null));
        }
    }

    /// <summary>Brings the reported instances in line with the cache: reports what resolved, changed or went away.</summary>
    public void Reconcile(DateTimeOffset now)
    {
        var live = new HashSet<DnsName>();
        foreach (var entry in _cache.Get(_options.ServiceType, DnsRecordType.Ptr, now))
        {
            var instance = ((PtrRecord)entry.Record).Target;
            if (!instance.Parent.Equals(_options.ServiceType) || _isOwnInstance(instance) || !live.Add(instance))
            {
                continue;
            }

            if (!_instances.TryGetValue(instance, out var state))
            {
                state = new InstanceState();
                _instances.Add(instance, state);
            }

            if (entry.ReceivedAt > state.PointerSeenAt)
            {
                // Fresh word that the instance exists: worth asking again for what is missing.
                state.PointerSeenAt = entry.ReceivedAt;
                state.Attempts = 0;
            }

            var resolved = Resolve(instance, now);
            if (resolved is not null)
            {
                state.NextResolveAt = null;
                state.Missing = null;
                if (state.Reported is null || !state.Reported.HasSameData(resolved))
                {
                    state.Reported = resolved;
                    _report(new MdnsServiceResolved(resolved));
                }

                continue;
            }

            if (state.Reported is not null)
            {
                _report(new MdnsServiceRemoved(state.Reported));
                state.Reported = null;
            }

            // What is missing changed (say the SRV came, the addresses did not): ask for the rest at once.
            var missing = string.Join('|', MissingFor(instance, now));
            if (missing != state.Missing)
            {
                state.Missing = missing;
                state.Attempts = 0;
                state.NextResolveAt = now;
            }
            else if (state.NextResolveAt is null && state.Attempts < _options.ResolveAttempts)
            {
                state.NextResolveAt = now;
            }
        }

        foreach (var (instance, state) in _instances.Where(p => !live.Contains(p.Key)).ToList())
        {
            if (state.Reported is not null)
            {
                _report(new MdnsServiceRemoved(state.Reported));
            }

            _instances.Remove(instance);
        }
    }

    private MdnsServiceInstance? Resolve(DnsName instance, DateTimeOffset now)
    {
        var srv = _cache.Get(instance, DnsRecordType.Srv, now).Select(e => (SrvRecord)e.Record).OrderBy(r => r.Priority).FirstOrDefault();
        var txt = _cache.Get(instance, DnsRecordType.Txt, now).OrderByDescending(e => e.ReceivedAt).Select(e => (TxtRecord)e.Record).FirstOrDefault();
        if (srv is null || txt is null)
        {
            return null;
        }

        var endpoints = new List<IPEndPoint>();
        foreach (var entry in _cache.Get(srv.Target, DnsRecordType.A, now).Concat(_cache.Get(srv.Target, DnsRecordType.Aaaa, now)))
        {
            if (entry.Record is not AddressRecord { Address: var address })
            {
                continue;
            }

            // The wire has no scope: a link-local IPv6 address is reached through the interface it was heard on.
            if (address.IsIPv6LinkLocal && entry.InterfaceIndex > 0)
            {
                address = new IPAddress(address.GetAddressBytes(), entry.InterfaceIndex);
            }

            endpoints.Add(new IPEndPoint(address, srv.Port));
        }

        return endpoints.Count == 0 ? null : new MdnsServiceInstance(instance, srv.Target, srv.Port, endpoints, txt);
    }

    private IEnumerable<DnsQuestion> MissingFor(DnsName instance, DateTimeOffset now)
    {
        var srv = _cache.Get(instance, DnsRecordType.Srv, now).Select(e => (SrvRecord)e.Record).FirstOrDefault();
        if (srv is null)
        {
            yield return new DnsQuestion(instance, DnsRecordType.Srv);
        }

        if (!_cache.Get(instance, DnsRecordType.Txt, now).Any())
        {
            yield return new DnsQuestion(instance, DnsRecordType.Txt);
        }

        if (srv is not null && !_cache.Get(srv.Target, DnsRecordType.A, now).Any() && !_cache.Get(srv.Target, DnsRecordType.Aaaa, now).Any())
        {
            yield return new DnsQuestion(srv.Target, DnsRecordType.A);
            yield return new DnsQuestion(srv.Target, DnsRecordType.Aaaa);
        }
    }

    private sealed class InstanceState
    {
        public MdnsServiceInstance? Reported { get; set; }

        public DateTimeOffset PointerSeenAt { get; set; }

        public int Attempts { get; set; }

        public DateTimeOffset? NextResolveAt { get; set; }

        public string? Missing { get; set; }
    }
}

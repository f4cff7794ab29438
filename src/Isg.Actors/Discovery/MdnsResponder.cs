using System.Net;
using System.Net.Sockets;
using System.Text;
using Isg.Protocol.Discovery;

namespace Isg.Actors.Discovery;

/// <summary>
/// The responder half of the mDNS engine (RFC 6762, RFC 6763), without I/O: it is told what arrived and what time it
/// is, and hands packets to send to <c>send</c>. It probes for its instance and host names (3 probes 250 ms apart,
/// simultaneous-probe tie-break, a new name on conflict), announces (twice, 1 s apart, cache-flush bit on unique
/// records), answers queries (known-answer suppression, shared records after 20–120 ms, QU questions by unicast when
/// the record was multicast recently, legacy unicast queries, additional records as RFC 6763 §12 lists), defends its
/// names, and says goodbye with TTL 0. Not thread-safe.
/// </summary>
internal sealed class MdnsResponder
{
    private const int MdnsPort = 5353;
    private const uint LegacyTtlCap = 10;

    private readonly MdnsOptions _options;
    private readonly Random _random;
    private readonly MdnsAnnouncement _announcement;
    private readonly IReadOnlyList<IPAddress> _addresses;
    private readonly Action<MdnsPacket> _send;
    private readonly Action<IMdnsEvent> _report;
    private readonly DnsName _servicesMeta;

    private readonly Dictionary<DnsRecord, DateTimeOffset> _lastMulticast = new(DnsRecord.SameData);
    private readonly List<PendingAnswer> _pending = [];
    private readonly Queue<DateTimeOffset> _conflicts = new();
    private List<DnsRecord> _shared = [];
    private List<DnsRecord> _unique = [];
    private List<DnsRecord> _nsec = [];
    private ResponderState _state;
    private int _instanceSuffix = 1;
    private int _hostSuffix = 1;
    private int _probesSent;
    private int _announcementsSent;
    private DateTimeOffset? _nextStepAt;

    public MdnsResponder(MdnsOptions options, Random random, MdnsAnnouncement announcement, IReadOnlyList<IPAddress> addresses,
        Action<MdnsPacket> send, Action<IMdnsEvent> report)
    {
        _options = options;
        _random = random;
        _announcement = announcement;
        _addresses = addresses;
        _send = send;
        _report = report;
        _servicesMeta = options.Domain.Prepend("_udp").Prepend("_dns-sd").Prepend("_services");
        InstanceName = options.ServiceType.Prepend(announcement.InstanceLabel);
        HostName = options.Domain.Prepend(announcement.HostLabel);
        BuildRecords();
    }

    private enum ResponderState
    {
        Idle,
        Probing,
        Announcing,
        Announced,
        Stopped,
    }

    /// <summary>The instance name being probed for or owned.</summary>
    public DnsName InstanceName { get; private set; }

    /// <summary>The host name being probed for or owned.</summary>
    public DnsName HostName { get; private set; }

    /// <summary>True once probing succeeded (announcing or announced).</summary>
    public bool OwnsNames => _state is ResponderState.Announcing or ResponderState.Announced;

    /// <summary>When <see cref="Tick"/> next has work, or null.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            var next = _nextStepAt;
            foreach (var pending in _pending)
            {
                next = next is null || pending.SendAt < next ? pending.SendAt : next;
            }

            return next;
        }
    }

    /// <summary>Starts probing after a random delay of up to <see cref="MdnsOptions.ProbeDelayMax"/>.</summary>
    public void Start(DateTimeOffset now)
    {
        if (_state == ResponderState.Idle)
        {
            RestartProbing(now);
        }
    }

    /// <summary>Sends the goodbye (every announced record with TTL 0) when names were announced; stops everything.</summary>
    public void Stop(DateTimeOffset now)
    {
        if (OwnsNames)
        {
            var goodbye = _shared.Concat(_unique).Select(r => r.WithTtl(0)).ToList();
            foreach (var message in MdnsPackets.Responses(goodbye, [], _options.MaxPacketSize))
            {
                _send(new MdnsPacket(message, null));
            }
        }

        _state = ResponderState.Stopped;
        _nextStepAt = null;
        _pending.Clear();
    }

    /// <summary>Does the probing, announcing and delayed answering that is due.</summary>
    public void Tick(DateTimeOffset now)
    {
        if (_state == ResponderState.Probing && _nextStepAt <= now)
        {
            if (_probesSent < _options.ProbeCount)
            {
                SendProbe();
                _probesSent++;
                _nextStepAt = now + _options.ProbeInterval;
            }
            else
            {
                _state = ResponderState.Announcing;
                _announcementsSent = 0;
                _nextStepAt = now;
                _report(new MdnsAnnounced(InstanceName, HostName));
            }
        }

        if (_state == ResponderState.Announcing && _nextStepAt <= now)
        {
            Announce(now);
            _announcementsSent++;
            if (_announcementsSent < _options.AnnounceCount)
            {
                _nextStepAt = now + (_options.AnnounceInterval * (1 << Math.Min(_announcementsSent - 1, 20)));
            }
            else
            {
                _state = ResponderState.Announced;
                _nextStepAt = null;
            }
        }

        FlushPending(now);
    }

    /// <summary>Handles a query (QR clear) from <paramref name="source"/>.</summary>
    public void OnQuery(DnsMessage query, IPEndPoint source, DateTimeOffset now)
    {
        if (_state == ResponderState.Probing && query.Authorities.Count > 0)
        {
            BreakTie(query, now);
        }

        // More known answers from a querier whose truncated query we are still holding an answer for (RFC 6762 §7.2);
        // while it keeps saying more are coming (TC), wait 400-500 ms after its latest packet.
        _pending.RemoveAll(p => p.Querier is not null && p.Querier.Equals(source) && query.Answers.Any(known => Suppresses(known, p.Record)));
        if (query.IsTruncated)
        {
            var later = now + RandomBetween(_options.TruncatedDelayMin, _options.TruncatedDelayMax);
            foreach (var pending in _pending.Where(p => p.Querier is not null && p.Querier.Equals(source) && p.SendAt < later))
            {
                pending.SendAt = later;
            }
        }

        if (!OwnsNames || query.Questions.Count == 0)
        {
            return;
        }

        if (source.Port != MdnsPort)
        {
            AnswerLegacy(query, source);
            return;
        }

        var isProbe = query.Authorities.Count > 0;
        var unicast = new List<DnsRecord>();
        var multicast = new List<DnsRecord>();
        var negative = new List<DnsRecord>();
        foreach (var question in query.Questions)
        {
            var matches = AllRecords.Where(question.IsAnsweredBy).ToList();
            if (matches.Count == 0)
            {
                // A name we own without the asked type: say so with its NSEC (RFC 6762 §6.1).
                negative.AddRange(_nsec.Where(n => n.Name.Equals(question.Name)));
                continue;
            }

            foreach (var record in matches)
            {
                if (!isProbe && query.Answers.Any(known => Suppresses(known, record)))
                {
                    continue;
                }

                // QU (RFC 6762 §5.4): unicast, but multicast instead when the record was not multicast within a quarter
                // of its TTL, to keep every cache fresh; a QU probe always gets its unicast answer, and the multicast too
                // in that case.
                var recent = WasMulticastWithin(record, TimeSpan.FromSeconds(record.Ttl / 4.0), now);
                if (question.UnicastResponse && (recent || isProbe))
                {
                    AddDistinct(unicast, record);
                }

                if (!question.UnicastResponse || !recent)
                {
                    AddDistinct(multicast, record);
                }
            }
        }

        if (unicast.Count > 0)
        {
            var additionals = AdditionalsFor(unicast).Where(r => !query.Answers.Any(known => Suppresses(known, r))).ToList();
            foreach (var message in MdnsPackets.Responses(unicast, additionals, _options.MaxPacketSize))
            {
                _send(new MdnsPacket(message, source));
            }
        }

        if (multicast.Count == 0 && negative.Count == 0)
        {
            return;
        }

        TimeSpan delay;
        if (isProbe)
        {
            delay = TimeSpan.Zero;
        }
        else if (query.IsTruncated)
        {
            delay = RandomBetween(_options.TruncatedDelayMin, _options.TruncatedDelayMax);
        }
        else
        {
            // Answers only we can give (unique records, one question) go at once; shared ones, and those to several
            // questions, wait 20-120 ms so that responders' answers spread out and aggregate (RFC 6762 §6, §6.3).
            delay = query.Questions.Count > 1 || multicast.Any(r => !r.CacheFlush)
                ? RandomBetween(_options.ResponseDelayMin, _options.ResponseDelayMax)
                : TimeSpan.Zero;
        }

        var querier = query.IsTruncated ? source : null;
        foreach (var record in multicast)
        {
            AddPending(record, additional: false, now + delay, isProbe, querier);
        }

        foreach (var record in AdditionalsFor(multicast))
        {
            if (!query.Answers.Any(known => Suppresses(known, record)))
            {
                AddPending(record, additional: true, now + delay, isProbe, querier);
            }
        }

        // The NSEC that asserts a type does not exist is the answer to that question (RFC 6762 §6.1).
        foreach (var record in negative)
        {
            AddPending(record, additional: false, now + delay, isProbe, querier);
        }
    }

    /// <summary>Handles a response (QR set) from port 5353: conflicts with our names, and answers someone else already gave.</summary>
    public void OnResponse(DnsMessage response, DateTimeOffset now)
    {
        if (_state is ResponderState.Idle or ResponderState.Stopped)
        {
            return;
        }

        foreach (var record in response.AllRecords)
        {
            if (record.Ttl == 0 || !(record.Name.Equals(InstanceName) || record.Name.Equals(HostName)))
            {
                continue;
            }

            var ours = AllRecords.Any(r => DnsRecord.SameData.Equals(r, record));
            if (ours)
            {
                continue;
            }

            if (_state == ResponderState.Probing)
            {
                // Any other record of a name we probe for means it is taken (RFC 6762 §8.1).
                Rename(record.Name, now);
                return;
            }

            if (AllRecords.Any(r => !IsShared(r) && r.Type == record.Type && r.Class == record.Class && r.Name.Equals(record.Name)))
            {
                // Another responder's unique record of our name and type with other data (RFC 6762 §9): probe again.
                _report(new MdnsNameConflict(record.Name, record.Name));
                RecordConflict(now);
                RestartProbing(now);
                return;
            }
        }

        // Duplicate answer suppression (RFC 6762 §7.4): someone already multicast what we were about to.
        _pending.RemoveAll(p => !p.Defence && response.Answers.Any(answer => Suppresses(answer, p.Record)));
    }

    private IEnumerable<DnsRecord> AllRecords => _shared.Concat(_unique).Concat(_nsec);

    private static bool IsShared(DnsRecord record) => !record.CacheFlush;

    private static void AddDistinct(List<DnsRecord> records, DnsRecord record)
    {
        if (!records.Any(r => DnsRecord.SameData.Equals(r, record)))
        {
            records.Add(record);
        }
    }

    // A known answer suppresses ours when it is the same record with at least half our TTL left (RFC 6762 §7.1).
    private static bool Suppresses(DnsRecord known, DnsRecord ours) => known.Ttl * 2 >= ours.Ttl && DnsRecord.SameData.Equals(known, ours);

    private static int CompareProbeRecords(DnsRecord a, DnsRecord b)
    {
        var byClass = ((ushort)a.Class).CompareTo((ushort)b.Class);
        if (byClass != 0)
        {
            return byClass;
        }

        var byType = ((ushort)a.Type).CompareTo((ushort)b.Type);
        return byType != 0 ? byType : a.GetUncompressedData().AsSpan().SequenceCompareTo(b.GetUncompressedData());
    }

    private static string Suffixed(string label, string suffix)
    {
        // Keep the label within 63 bytes of UTF-8 by shortening the base, never splitting a surrogate pair.
        var baseText = label;
        while (Encoding.UTF8.GetByteCount(baseText + suffix) > DnsName.MaxLabelLength)
        {
            var cut = baseText.Length - 1;
            if (cut > 0 && char.IsLowSurrogate(baseText[cut]))
            {
                cut--;
            }

            baseText = baseText[..cut];
        }

        return baseText + suffix;
    }

    private void BuildRecords()
    {
        var hostTtl = (uint)_options.HostRecordTtl.TotalSeconds;
        var otherTtl = (uint)_options.OtherRecordTtl.TotalSeconds;
        _shared =
        [
            new PtrRecord(_options.ServiceType, InstanceName, otherTtl),
            new PtrRecord(_servicesMeta, _options.ServiceType, otherTtl),
        ];
        var unique = new List<DnsRecord>
        {
            new SrvRecord(InstanceName, 0, 0, _announcement.Port, HostName, hostTtl, cacheFlush: true),
            TxtRecord.FromPairs(InstanceName, _announcement.Txt, otherTtl, cacheFlush: true),
        };
        var hostTypes = new SortedSet<DnsRecordType>();
        foreach (var address in _addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                unique.Add(new ARecord(HostName, address, hostTtl, cacheFlush: true));
                hostTypes.Add(DnsRecordType.A);
            }
            else if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // The wire has no scope; a receiver applies the interface it heard the record on.
                unique.Add(new AaaaRecord(HostName, new IPAddress(address.GetAddressBytes()), hostTtl, cacheFlush: true));
                hostTypes.Add(DnsRecordType.Aaaa);
            }
        }

        _unique = unique;
        _nsec =
        [
            new NsecRecord(InstanceName, InstanceName, [DnsRecordType.Txt, DnsRecordType.Srv], hostTtl, cacheFlush: true),
            new NsecRecord(HostName, HostName, hostTypes, hostTtl, cacheFlush: true),
        ];
    }

    private void RestartProbing(DateTimeOffset now)
    {
        _state = ResponderState.Probing;
        _probesSent = 0;
        _pending.Clear();
        while (_conflicts.TryPeek(out var at) && at < now - _options.ConflictWindow)
        {
            _conflicts.Dequeue();
        }

        // RFC 6762 §8.1: after 15 conflicts in 10 seconds, wait 5 seconds before each attempt.
        _nextStepAt = now + (_conflicts.Count >= _options.ConflictLimit
            ? _options.ConflictBackoff
            : RandomBetween(TimeSpan.Zero, _options.ProbeDelayMax));
    }

    private void RecordConflict(DateTimeOffset now) => _conflicts.Enqueue(now);

    private void Rename(DnsName conflicted, DateTimeOffset now)
    {
        DnsName replacement;
        if (conflicted.Equals(InstanceName))
        {
            _instanceSuffix++;
            replacement = InstanceName = _options.ServiceType.Prepend(Suffixed(_announcement.InstanceLabel, $" ({_instanceSuffix})"));
        }
        else
        {
            _hostSuffix++;
            replacement = HostName = _options.Domain.Prepend(Suffixed(_announcement.HostLabel, $"-{_hostSuffix}"));
        }

        BuildRecords();
        _report(new MdnsNameConflict(conflicted, replacement));
        RecordConflict(now);
        RestartProbing(now);
    }

    // RFC 6762 §8.2: when another host probes for a name we are probing for, the lexicographically later set of
    // proposed records wins; the loser waits a second and probes again. Identical sets are our own probe echoed back.
    private void BreakTie(DnsMessage probe, DateTimeOffset now)
    {
        foreach (var name in new[] { InstanceName, HostName })
        {
            if (!probe.Questions.Any(q => q.Name.Equals(name)))
            {
                continue;
            }

            var theirs = probe.Authorities.Where(r => r.Name.Equals(name)).Order(Comparer<DnsRecord>.Create(CompareProbeRecords)).ToList();
            if (theirs.Count == 0)
            {
                continue;
            }

            var ours = _unique.Where(r => r.Name.Equals(name)).Order(Comparer<DnsRecord>.Create(CompareProbeRecords)).ToList();
            var order = 0;
            for (var i = 0; i < Math.Min(ours.Count, theirs.Count) && order == 0; i++)
            {
                order = CompareProbeRecords(ours[i], theirs[i]);
            }

            if (order == 0)
            {
                order = ours.Count.CompareTo(theirs.Count);
            }

            if (order < 0)
            {
                _probesSent = 0;
                _nextStepAt = now + _options.ProbeDeferDelay;
                return;
            }
        }
    }

    private void SendProbe()
    {
        var questions = new[]
        {
            new DnsQuestion(InstanceName, DnsRecordType.Any, UnicastResponse: _options.ProbeUnicastResponse),
            new DnsQuestion(HostName, DnsRecordType.Any, UnicastResponse: _options.ProbeUnicastResponse),
        };

        // Proposed records go in the authority section without the cache-flush bit (RFC 6762 §8.1).
        var proposed = _unique.Select(r => r.WithCacheFlush(false)).ToList();
        foreach (var message in MdnsPackets.Queries(questions, [], proposed, _options.MaxPacketSize))
        {
            _send(new MdnsPacket(message, null));
        }
    }

    private void Announce(DateTimeOffset now)
    {
        var answers = _shared.Concat(_unique).ToList();
        foreach (var message in MdnsPackets.Responses(answers, _nsec, _options.MaxPacketSize))
        {
            _send(new MdnsPacket(message, null));
        }

        foreach (var record in answers.Concat(_nsec))
        {
            _lastMulticast[record] = now;
        }
    }

    private void AnswerLegacy(DnsMessage query, IPEndPoint source)
    {
        // RFC 6762 §6.7: a one-shot resolver not on port 5353 gets a conventional unicast reply: its id, its
        // questions, TTLs of at most 10 s, and no cache-flush bits.
        static DnsRecord Legacy(DnsRecord r) => r.WithTtl(Math.Min(r.Ttl, LegacyTtlCap)).WithCacheFlush(false);
        var answers = query.Questions.SelectMany(q => AllRecords.Where(q.IsAnsweredBy)).Distinct(DnsRecord.SameData).ToList();
        if (answers.Count == 0)
        {
            return;
        }

        var additionals = AdditionalsFor(answers).Select(Legacy).ToList();
        foreach (var message in MdnsPackets.Responses([.. answers.Select(Legacy)], additionals, _options.MaxPacketSize, query.Id, query.Questions))
        {
            _send(new MdnsPacket(message, source));
        }
    }

    // What RFC 6763 §12 and RFC 6762 §6.1 say to add: for our PTR the instance's SRV, TXT and the host's addresses;
    // for SRV and addresses the host's addresses; NSEC for the names whose records are all there.
    private List<DnsRecord> AdditionalsFor(IReadOnlyList<DnsRecord> answers)
    {
        var additionals = new List<DnsRecord>();
        foreach (var answer in answers)
        {
            var extra = answer switch
            {
                PtrRecord ptr when ptr.Target.Equals(InstanceName) => _unique.Concat(_nsec),
                SrvRecord or AddressRecord => _unique.Where(r => r.Name.Equals(HostName)).Concat(_nsec.Where(r => r.Name.Equals(HostName))),
                _ => [],
            };
            foreach (var record in extra)
            {
                if (!answers.Any(a => DnsRecord.SameData.Equals(a, record)))
                {
                    AddDistinct(additionals, record);
                }
            }
        }

        return additionals;
    }

    private void AddPending(DnsRecord record, bool additional, DateTimeOffset sendAt, bool defence, IPEndPoint? querier)
    {
        var existing = _pending.Find(p => DnsRecord.SameData.Equals(p.Record, record));
        if (existing is null)
        {
            _pending.Add(new PendingAnswer(record, additional, sendAt, defence, querier));
            return;
        }

        existing.Additional &= additional;
        existing.Defence |= defence;
        if (sendAt < existing.SendAt)
        {
            existing.SendAt = sendAt;
        }

        if (existing.Querier is not null && !existing.Querier.Equals(querier))
        {
            existing.Querier = null;
        }
    }

    private void FlushPending(DateTimeOffset now)
    {
        var due = _pending.Where(p => p.SendAt <= now).ToList();
        if (due.Count == 0)
        {
            return;
        }

        _pending.RemoveAll(p => p.SendAt <= now);
        var sendable = due.Where(p => !WasMulticastWithin(p.Record, p.Defence ? _options.ProbeDefenceRateLimit : _options.MulticastRateLimit, now)).ToList();
        var answers = sendable.Where(p => !p.Additional).Select(p => p.Record).ToList();

        // Additional records only go with answers: on their own they answer nothing that was asked.
        if (answers.Count == 0)
        {
            return;
        }

        var additionals = sendable.Where(p => p.Additional).Select(p => p.Record).ToList();

        foreach (var message in MdnsPackets.Responses(answers, additionals, _options.MaxPacketSize))
        {
            _send(new MdnsPacket(message, null));
        }

        foreach (var record in answers.Concat(additionals))
        {
            _lastMulticast[record] = now;
        }
    }

    private bool WasMulticastWithin(DnsRecord record, TimeSpan window, DateTimeOffset now) =>
        _lastMulticast.TryGetValue(record, out var at) && at > now - window;

    private TimeSpan RandomBetween(TimeSpan min, TimeSpan max) => min + ((max - min) * _random.NextDouble());

    private sealed class PendingAnswer(DnsRecord record, bool additional, DateTimeOffset sendAt, bool defence, IPEndPoint? querier)
    {
        public DnsRecord Record { get; } = record;

        public bool Additional { get; set; } = additional;

        public DateTimeOffset SendAt { get; set; } = sendAt;

        public bool Defence { get; set; } = defence;

        public IPEndPoint? Querier { get; set; } = querier;
    }
}

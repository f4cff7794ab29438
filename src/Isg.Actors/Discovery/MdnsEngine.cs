using System.Net;
using Isg.Protocol.Discovery;
using Isg.Protocol.Errors;

namespace Isg.Actors.Discovery;

/// <summary>
/// mDNS without I/O: a responder for one announced service (optional), a browser for the service type (optional),
/// and the cache they share. The owner feeds it datagrams (<see cref="Receive"/>) and wake-ups (<see cref="Tick"/> at
/// <see cref="NextWakeUp"/>), and takes out the packets to send and the events to report. Time comes from the
/// injected <see cref="TimeProvider"/>, chance from the injected <see cref="Random"/>, so tests drive every timing
/// without sleeping. Not thread-safe: one owner (the discovery actor) calls it.
/// </summary>
internal sealed class MdnsEngine
{
    private const int MdnsPort = 5353;

    private readonly TimeProvider _time;
    private readonly MdnsCache _cache;
    private readonly MdnsResponder? _responder;
    private readonly MdnsBrowser? _browser;
    private readonly List<MdnsPacket> _packets = [];
    private readonly List<IMdnsEvent> _events = [];
    private bool _started;
    private bool _stopped;

    /// <summary>
    /// An engine that announces <paramref name="announcement"/> (null: none) with A/AAAA records of
    /// <paramref name="addresses"/>, and browses when <paramref name="browse"/>. Throws <see cref="ArgumentException"/> on bad options.
    /// </summary>
    public MdnsEngine(MdnsOptions options, TimeProvider time, Random random, MdnsAnnouncement? announcement, IReadOnlyList<IPAddress> addresses, bool browse)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(addresses);
        options.Validate();
        announcement?.Validate();
        _time = time;
        _cache = new MdnsCache(options, random);
        if (announcement is not null)
        {
            _responder = new MdnsResponder(options, random, announcement, addresses, _packets.Add, _events.Add);
        }

        if (browse)
        {
            _browser = new MdnsBrowser(options, random, _cache, _packets.Add, _events.Add, IsOwnInstance);
        }
    }

    /// <summary>The instance name announced (or being probed for), or null without an announcement.</summary>
    public DnsName? InstanceName => _responder?.InstanceName;

    /// <summary>The host name announced (or being probed for), or null without an announcement.</summary>
    public DnsName? HostName => _responder?.HostName;

    /// <summary>True once probing succeeded.</summary>
    public bool Announced => _responder?.OwnsNames ?? false;

    /// <summary>The browsed instances resolved now.</summary>
    public IReadOnlyList<MdnsServiceInstance> Services => _browser is null ? [] : [.. _browser.Services];

    /// <summary>Datagrams that did not decode.</summary>
    public long MalformedDatagrams { get; private set; }

    /// <summary>Why the last malformed datagram did not decode.</summary>
    public ProtocolError LastMalformed { get; private set; }

    /// <summary>When <see cref="Tick"/> next has work; null when idle until a datagram arrives.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            if (!_started || _stopped)
            {
                return null;
            }

            DateTimeOffset? next = null;
            foreach (var candidate in new[] { _responder?.NextWakeUp, _browser?.NextWakeUp, _browser is null ? null : _cache.NextDeadline })
            {
                if (candidate is { } at && (next is null || at < next))
                {
                    next = at;
                }
            }

            return next;
        }
    }

    /// <summary>Starts probing and browsing. Idempotent.</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var now = _time.GetUtcNow();
        _responder?.Start(now);
        _browser?.Start(now);
        RunDue(now);
    }

    /// <summary>
    /// Handles one datagram; false when it did not decode (counted in <see cref="MalformedDatagrams"/>). Queries go to
    /// the responder; responses from port 5353 to the responder (conflicts) and to the cache and browser. Messages
    /// with a nonzero opcode or response code are ignored (RFC 6762 §18.3, §18.11).
    /// </summary>
    public bool Receive(MdnsDatagram datagram)
    {
        if (!_started || _stopped)
        {
            return true;
        }

        if (DnsMessage.TryDecode(datagram.Data.Span, out var message, out var error) != DecodeStatus.Done)
        {
            MalformedDatagrams++;
            LastMalformed = error;
            return false;
        }

        if (message!.Opcode != 0 || message.ResponseCode != DnsResponseCode.NoError)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        if (!message.IsResponse)
        {
            _responder?.OnQuery(message, datagram.Source, now);
        }
        else if (datagram.Source.Port == MdnsPort)
        {
            _responder?.OnResponse(message, now);
            if (_browser is not null)
            {
                var records = message.Answers.Concat(message.Additionals).ToList();
                var relevant = records.Where(r => _browser.IsRelevant(r, records, now)).ToList();
                if (_cache.Apply(relevant, datagram.InterfaceIndex, now))
                {
                    _browser.Reconcile(now);
                }
            }
        }

        RunDue(now);
        return true;
    }

    /// <summary>Does whatever is due now: probes, announcements, delayed answers, expiries, queries.</summary>
    public void Tick()
    {
        if (_started && !_stopped)
        {
            RunDue(_time.GetUtcNow());
        }
    }

    /// <summary>Queues the goodbye packets (TTL 0) and stops; later calls do nothing.</summary>
    public void Stop()
    {
        if (!_started || _stopped)
        {
            return;
        }

        _stopped = true;
        _responder?.Stop(_time.GetUtcNow());
    }

    /// <summary>The packets queued since the last call, in order.</summary>
    public IReadOnlyList<MdnsPacket> TakePackets()
    {
        var packets = _packets.ToList();
        _packets.Clear();
        return packets;
    }

    /// <summary>The events queued since the last call, in order.</summary>
    public IReadOnlyList<IMdnsEvent> TakeEvents()
    {
        var events = _events.ToList();
        _events.Clear();
        return events;
    }

    private bool IsOwnInstance(DnsName instance) => _responder is not null && instance.Equals(_responder.InstanceName);

    private void RunDue(DateTimeOffset now)
    {
        _responder?.Tick(now);
        if (_browser is null)
        {
            return;
        }

        if (_cache.RemoveExpired(now).Count > 0)
        {
            _browser.Reconcile(now);
        }

        _browser.Tick(now);
    }
}

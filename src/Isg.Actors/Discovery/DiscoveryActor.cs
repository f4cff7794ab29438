using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading.Channels;
using Isg.Actors.Runtime;
using Isg.Protocol.Discovery;
using Isg.Protocol.Peers;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Discovery;

/// <summary>
/// Discovery (/node/discovery): finds the addresses of other devices and tells <c>subscriber</c>. Runs mDNS when
/// enabled (announces this device as <c>_isg._tcp.local</c> with TXT <c>id=</c>, browses for others; a service
/// without a valid id is ignored, this device is never reported), resolves static peers every
/// <see cref="DiscoveryOptions.StaticResolveInterval"/>, and a DNS name (Kubernetes headless Service) every
/// <see cref="DiscoveryOptions.DnsResolveInterval"/>. Reports only changes. Socket reads and name lookups run in the
/// background and report back as messages to self. On stop it says goodbye (TTL 0) so peers drop it at once.
/// If the mDNS transport cannot open (no interface, port refused), mDNS is off and the rest still runs.
/// </summary>
public sealed class DiscoveryActor(DiscoveryOptions options, IReplyTo<IDiscoveryEvent> subscriber) : Actor<IDiscoveryCommand>
{
    private static readonly TimeSpan s_goodbyeTimeout = TimeSpan.FromSeconds(2);

    private readonly DiscoveryOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly IReplyTo<IDiscoveryEvent> _subscriber = subscriber ?? throw new ArgumentNullException(nameof(subscriber));
    private readonly Dictionary<DnsName, (DeviceId Id, MdnsServiceInstance Service)> _mdnsInstances = [];
    private readonly Dictionary<DeviceId, IReadOnlyList<IPEndPoint>> _mdnsReported = [];
    private readonly Dictionary<DeviceId, IReadOnlyList<IPEndPoint>> _staticReported = [];
    private readonly CancellationTokenSource _background = new();
    private IReadOnlyList<IPEndPoint>? _staticAnonymousReported;
    private IReadOnlyList<StaticPeer> _staticPeers = [];
    private IReadOnlyList<IPEndPoint>? _dnsReported;
    private string? _dnsError;
    private MdnsEngine? _engine;
    private IMdnsTransport? _transport;
    private Task? _receiveLoop;
    private string? _mdnsError;
    private ScheduledTell? _mdnsTick;
    private DateTimeOffset? _mdnsTickAt;
    private ScheduledTell? _staticTick;
    private ScheduledTell? _dnsTick;
    private bool _staticRunning;
    private bool _staticAgain;
    private bool _dnsRunning;
    private bool _dnsAgain;

    /// <inheritdoc />
    protected override async ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _options.Validate();
        _staticPeers = _options.StaticPeers;
        if (_options.EnableMdns)
        {
            await StartMdnsAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_staticPeers.Count > 0)
        {
            Context.Self.Tell(new ResolveStaticPeers());
        }

        if (_options.DnsName is not null)
        {
            Context.Self.Tell(new ResolveDnsName());
        }
    }

    /// <inheritdoc />
    protected override async ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _mdnsTick?.Cancel();
        _staticTick?.Cancel();
        _dnsTick?.Cancel();
        await _background.CancelAsync().ConfigureAwait(false);
        if (_engine is not null && _transport is not null)
        {
            _engine.Stop();
            using var timeout = new CancellationTokenSource(s_goodbyeTimeout);
            try
            {
                foreach (var packet in _engine.TakePackets())
                {
                    await _transport.SendAsync(packet.Message.ToArray(), packet.Destination, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                Context.Logger.LogWarning("mDNS: the goodbye was not sent within {Timeout}", s_goodbyeTimeout);
            }
        }

        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        _background.Dispose();
    }

    /// <inheritdoc />
    protected override async ValueTask HandleAsync(IDiscoveryCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case MdnsDatagramReceived received:
                if (_engine is not null && !_engine.Receive(received.Datagram))
                {
                    Context.Logger.LogDebug("mDNS: ignored a malformed datagram from {Source}: {Error}", received.Datagram.Source, _engine.LastMalformed);
                }

                await PumpAsync(cancellationToken).ConfigureAwait(false);
                break;
            case MdnsTick:
                _mdnsTick = null;
                _mdnsTickAt = null;
                _engine?.Tick();
                await PumpAsync(cancellationToken).ConfigureAwait(false);
                break;
            case SetStaticPeers set:
                ArgumentNullException.ThrowIfNull(set.Peers);
                _staticPeers = set.Peers;
                StartStaticResolve();
                break;
            case ResolveNow:
                StartStaticResolve();
                StartDnsResolve();
                break;
            case ResolveStaticPeers:
                StartStaticResolve();
                break;
            case StaticPeersResolved resolved:
                OnStaticResolved(resolved);
                break;
            case ResolveDnsName:
                StartDnsResolve();
                break;
            case DnsNameResolved resolved:
                OnDnsResolved(resolved);
                break;
            case GetDiscoveryState get:
                get.ReplyTo.Reply(Snapshot());
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }
    }

    private static bool SameSet(IReadOnlyList<IPEndPoint> a, IReadOnlyList<IPEndPoint> b) => a.Count == b.Count && a.All(b.Contains);

    private static async Task ReceiveLoopAsync(IMdnsTransport transport, IActorRef<IDiscoveryCommand> self, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var datagram = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                await self.TellAsync(new MdnsDatagramReceived(datagram), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            // Stopping.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "mDNS: receiving stopped");
        }
    }

    private async Task StartMdnsAsync(CancellationToken cancellationToken)
    {
        var factory = _options.TransportFactory ?? ((transportOptions, logger) => UdpMdnsTransport.Open(transportOptions, logger));
        try
        {
            _transport = factory(_options.MdnsTransport, Context.System.LoggerFactory.CreateLogger<UdpMdnsTransport>());
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or NetworkInformationException or UnauthorizedAccessException)
        {
            _mdnsError = e.Message;
            Context.Logger.LogWarning("mDNS is off: {Reason}", e.Message);
            return;
        }

        MdnsAnnouncement? announcement = null;
        if (_options.Announce && _options.LocalDevice is { } device)
        {
            announcement = new MdnsAnnouncement(
                _options.InstanceLabel ?? device.ShortId,
                _options.HostLabel ?? "isg-" + device.ShortId.ToLowerInvariant(),
                (ushort)_options.PeerPort,
                [new("id", device.ToString()), new("v", "1")]);
        }

        _engine = new MdnsEngine(_options.Mdns, Context.TimeProvider, new Random(), announcement, _transport.LocalAddresses, _options.Browse);
        var transport = _transport;
        var self = Context.Self;
        var logger = Context.Logger;
        var token = _background.Token;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(transport, self, logger, token), CancellationToken.None);
        Context.Logger.LogInformation("mDNS: listening on {Addresses}", string.Join(", ", _transport.LocalAddresses));
        _engine.Start();
        await PumpAsync(cancellationToken).ConfigureAwait(false);
    }

    // Sends what the engine queued, reports its events, and keeps one timer on its next deadline.
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        if (_engine is null || _transport is null)
        {
            return;
        }

        foreach (var packet in _engine.TakePackets())
        {
            await _transport.SendAsync(packet.Message.ToArray(), packet.Destination, cancellationToken).ConfigureAwait(false);
        }

        foreach (var mdnsEvent in _engine.TakeEvents())
        {
            OnMdnsEvent(mdnsEvent);
        }

        var next = _engine.NextWakeUp;
        if (next == _mdnsTickAt && _mdnsTick is { IsPending: true })
        {
            return;
        }

        _mdnsTick?.Cancel();
        _mdnsTick = null;
        _mdnsTickAt = next;
        if (next is { } at)
        {
            var delay = at - Context.TimeProvider.GetUtcNow();
            _mdnsTick = Context.ScheduleTellOnce(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, new MdnsTick());
        }
    }

    private void OnMdnsEvent(IMdnsEvent mdnsEvent)
    {
        switch (mdnsEvent)
        {
            case MdnsServiceResolved resolved:
                var name = resolved.Service.Name;
                DeviceId? previous = _mdnsInstances.TryGetValue(name, out var known) ? known.Id : null;
                var error = default(Isg.Protocol.Errors.ProtocolError);
                if (!resolved.Service.Txt.TryGetValue("id", out var text) || !DeviceId.TryParse(text, out var id, out error))
                {
                    Context.Logger.LogDebug("mDNS: ignoring {Instance}: no valid id in its TXT record ({Reason})", name,
                        text is null ? "no id=" : error.Message);
                    _mdnsInstances.Remove(name);
                }
                else if (id == _options.LocalDevice)
                {
                    _mdnsInstances.Remove(name);
                }
                else
                {
                    _mdnsInstances[name] = (id, resolved.Service);
                    UpdateMdnsPeer(id);
                }

                if (previous is { } old && !(_mdnsInstances.TryGetValue(name, out var now) && now.Id == old))
                {
                    UpdateMdnsPeer(old);
                }

                break;
            case MdnsServiceRemoved removed:
                if (_mdnsInstances.Remove(removed.Service.Name, out var gone))
                {
                    UpdateMdnsPeer(gone.Id);
                }

                break;
            case MdnsAnnounced announced:
                Context.Logger.LogInformation("mDNS: announcing {Instance} on host {Host}", announced.Instance, announced.Host);
                _subscriber.Reply(new ServiceAnnounced(announced.Instance.ToString(), announced.Host.ToString()));
                break;
            case MdnsNameConflict conflict:
                Context.Logger.LogWarning("mDNS: another responder holds {Name}; probing for {Replacement}", conflict.Name, conflict.Replacement);
                break;
        }
    }

    private void UpdateMdnsPeer(DeviceId id)
    {
        var endpoints = _mdnsInstances.Values.Where(v => v.Id == id).SelectMany(v => v.Service.Endpoints).Distinct().ToList();
        if (endpoints.Count == 0)
        {
            if (_mdnsReported.Remove(id))
            {
                _subscriber.Reply(new PeerAddressesLost(id));
            }

            return;
        }

        if (!_mdnsReported.TryGetValue(id, out var reported) || !SameSet(reported, endpoints))
        {
            _mdnsReported[id] = endpoints;
            _subscriber.Reply(new PeerAddressesFound(id, endpoints, DiscoverySource.Mdns));
        }
    }

    private void StartStaticResolve()
    {
        if (_staticRunning)
        {
            _staticAgain = true;
            return;
        }

        _staticTick?.Cancel();
        _staticTick = null;
        var peers = _staticPeers;
        var resolver = _options.HostResolver ?? Dns.GetHostAddressesAsync;
        var self = Context.Self;
        var logger = Context.Logger;
        var token = _background.Token;
        _staticRunning = true;
        _staticAgain = false;
        _ = Task.Run(async () =>
        {
            var results = new List<IReadOnlyList<IPEndPoint>>();
            foreach (var peer in peers)
            {
                if (IPAddress.TryParse(peer.Host, out var literal))
                {
                    results.Add([new IPEndPoint(literal, peer.Port)]);
                    continue;
                }

                try
                {
                    var addresses = await resolver(peer.Host, token).ConfigureAwait(false);
                    results.Add([.. addresses.Distinct().Select(a => new IPEndPoint(a, peer.Port))]);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is SocketException or ArgumentException or IOException)
                {
                    logger.LogWarning("static peer {Peer} does not resolve: {Reason}", peer, e.Message);
                    results.Add([]);
                }
            }

            self.Tell(new StaticPeersResolved(peers, results));
        }, CancellationToken.None);
    }

    private void OnStaticResolved(StaticPeersResolved resolved)
    {
        _staticRunning = false;
        var isOwn = OwnEndpointFilter();
        var byId = new Dictionary<DeviceId, List<IPEndPoint>>();
        var anonymous = new List<IPEndPoint>();
        for (var i = 0; i < resolved.Peers.Count; i++)
        {
            var peer = resolved.Peers[i];
            if (peer.Id is { } id)
            {
                if (id != _options.LocalDevice)
                {
                    var list = byId.TryGetValue(id, out var existing) ? existing : byId[id] = [];
                    list.AddRange(resolved.Endpoints[i].Where(e => !list.Contains(e)));
                }
            }
            else
            {
                anonymous.AddRange(resolved.Endpoints[i].Where(e => !isOwn(e) && !anonymous.Contains(e)));
            }
        }

        foreach (var (id, endpoints) in byId)
        {
            if (endpoints.Count > 0 && (!_staticReported.TryGetValue(id, out var reported) || !SameSet(reported, endpoints)))
            {
                _staticReported[id] = endpoints;
                _subscriber.Reply(new PeerAddressesFound(id, endpoints, DiscoverySource.Static));
            }
        }

        foreach (var id in _staticReported.Keys.Where(id => !byId.ContainsKey(id)).ToList())
        {
            _staticReported.Remove(id);
        }

        if ((anonymous.Count > 0 || _staticAnonymousReported is { Count: > 0 })
            && (_staticAnonymousReported is null || !SameSet(_staticAnonymousReported, anonymous)))
        {
            _staticAnonymousReported = anonymous;
            _subscriber.Reply(new PeerEndpointsFound(anonymous, DiscoverySource.Static));
        }

        if (_staticAgain)
        {
            StartStaticResolve();
        }
        else if (_staticPeers.Count > 0)
        {
            _staticTick = Context.ScheduleTellOnce(_options.StaticResolveInterval, new ResolveStaticPeers());
        }
    }

    private void StartDnsResolve()
    {
        if (_options.DnsName is not { } name)
        {
            return;
        }

        if (_dnsRunning)
        {
            _dnsAgain = true;
            return;
        }

        _dnsTick?.Cancel();
        _dnsTick = null;
        var resolver = new DnsPeerResolver(new UnicastDnsClient(_options.Resolver ?? ResolvConf.Load(), Context.TimeProvider), _options.PeerPort);
        var self = Context.Self;
        var token = _background.Token;
        _dnsRunning = true;
        _dnsAgain = false;
        _ = Task.Run(async () =>
        {
            try
            {
                var (endpoints, error) = await resolver.ResolveAsync(name, token).ConfigureAwait(false);
                self.Tell(new DnsNameResolved(endpoints, error));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Stopping.
            }
        }, CancellationToken.None);
    }

    private void OnDnsResolved(DnsNameResolved resolved)
    {
        _dnsRunning = false;
        if (resolved.Error is not null)
        {
            if (resolved.Error != _dnsError)
            {
                Context.Logger.LogWarning("DNS discovery: {Name} does not resolve: {Reason}", _options.DnsName, resolved.Error);
            }

            _dnsError = resolved.Error;
        }
        else
        {
            _dnsError = null;
            var isOwn = OwnEndpointFilter();
            var endpoints = resolved.Endpoints.Where(e => !isOwn(e)).ToList();
            if ((endpoints.Count > 0 || _dnsReported is { Count: > 0 }) && (_dnsReported is null || !SameSet(_dnsReported, endpoints)))
            {
                _dnsReported = endpoints;
                _subscriber.Reply(new PeerEndpointsFound(endpoints, DiscoverySource.Dns));
            }
        }

        if (_dnsAgain)
        {
            StartDnsResolve();
        }
        else
        {
            _dnsTick = Context.ScheduleTellOnce(_options.DnsResolveInterval, new ResolveDnsName());
        }
    }

    private Func<IPEndPoint, bool> OwnEndpointFilter()
    {
        if (_options.IsOwnEndpoint is { } custom)
        {
            return custom;
        }

        HashSet<IPAddress> local;
        try
        {
            local = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToHashSet();
        }
        catch (NetworkInformationException e)
        {
            Context.Logger.LogDebug("cannot list local addresses: {Reason}", e.Message);
            local = [];
        }

        var port = _options.PeerPort;
        return endpoint => endpoint.Port == port && local.Contains(endpoint.Address);
    }

    private DiscoveryState Snapshot()
    {
        var peers = new List<DiscoveredPeer>();
        foreach (var (id, endpoints) in _mdnsReported)
        {
            var instance = _mdnsInstances.FirstOrDefault(p => p.Value.Id == id).Key;
            peers.Add(new DiscoveredPeer(id, endpoints, DiscoverySource.Mdns, instance?.ToString()));
        }

        peers.AddRange(_staticReported.Select(p => new DiscoveredPeer(p.Key, p.Value, DiscoverySource.Static, null)));
        if (_staticAnonymousReported is { Count: > 0 } anonymous)
        {
            peers.Add(new DiscoveredPeer(null, anonymous, DiscoverySource.Static, null));
        }

        return new DiscoveryState(
            peers,
            _dnsReported ?? [],
            _engine is { Announced: true } ? _engine.InstanceName?.ToString() : null,
            _engine is not null,
            _mdnsError);
    }
}

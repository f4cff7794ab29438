using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Isg.Actors.Catalog;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Peers.Transport;
using Isg.Actors.Runtime;
using Isg.Protocol.Keys;
using Isg.Protocol.Peers;
using Isg.Protocol.Peers.Wire;
using Microsoft.Extensions.Logging;

namespace Isg.Actors.Peers;

/// <summary>
/// The peers actor (/node/peers): listens for peers, dials the trusted ones it has addresses for (reconnecting with
/// exponential backoff and jitter), keeps at most one connection per device (of two, the one dialled by the lower
/// device id wins on both sides), runs one child per connected device (/node/peers/&lt;short id&gt;), routes inbound
/// frames to the <see cref="PeerInboundRouter"/>, publishes <see cref="PeerEvent"/>s to subscribers and records last
/// seen, traffic and the addresses outbound dials succeeded at (dialled again after a restart) in the peers table (its
/// own catalogue writer, peers rows only). Give it an unbounded mailbox: its messages are bounded by connections and
/// subscribers.
/// </summary>
public sealed class PeersActor : Actor<IPeersCommand>
{
    private readonly NodeIdentity _identity;
    private readonly RepositoryKey _key;
    private readonly CatalogDatabase _catalog;
    private readonly PeerInboundRouter _router;
    private readonly PeersOptions _options;
    private readonly CatalogPeerTrust _trust;
    private readonly IReplyTo<PeerEvent>? _events;
    private readonly Action? _started;

    private readonly Dictionary<DeviceId, PeerEntry> _peers = [];
    private readonly Dictionary<string, DeviceId> _childNames = new(StringComparer.Ordinal);
    private readonly List<IReplyTo<PeerEvent>> _subscribers = [];
    private readonly ConcurrentDictionary<PeerConnection, byte> _live = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<IPEndPoint, EndpointEntry> _endpoints = [];
    private readonly Dictionary<string, IReadOnlyList<IPEndPoint>> _endpointSources = new(StringComparer.Ordinal);

    private PeerTransport? _transport;
    private PeerListener? _listener;
    private CatalogWriter? _writer;
    private ScheduledTell? _tick;
    private byte[]? _clusterKey;

    /// <summary>
    /// Creates the actor for this node's <paramref name="identity"/> in the repository of <paramref name="key"/> (its
    /// repository id and sealed cluster secret) whose catalogue is <paramref name="catalog"/>. Throws
    /// <see cref="ArgumentException"/> for invalid options.
    /// </summary>
    public PeersActor(NodeIdentity identity, RepositoryKey key, CatalogDatabase catalog, PeerInboundRouter router, PeersOptions options)
        : this(identity, key, catalog, router, options, null, null)
    {
    }

    /// <summary>
    /// As the other constructor, with <paramref name="events"/> subscribed for the instance's whole life (a factory that
    /// passes the same one keeps it subscribed across restarts, unlike <see cref="SubscribePeerEvents"/>) and
    /// <paramref name="started"/> called at the end of each start (after a restart too), for whoever must tell the new
    /// instance again what the old one knew (discovered addresses).
    /// </summary>
    public PeersActor(NodeIdentity identity, RepositoryKey key, CatalogDatabase catalog, PeerInboundRouter router, PeersOptions options,
        IReplyTo<PeerEvent>? events, Action? started)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _identity = identity;
        _key = key;
        _catalog = catalog;
        _router = router;
        _options = options;
        _trust = new CatalogPeerTrust(catalog);
        _events = events;
        _started = started;
    }

    private DeviceId Self => _identity.DeviceId;

    /// <inheritdoc />
    protected override ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        _writer = _catalog.CreateWriter();
        // Whatever an earlier run recorded as connected is over.
        _writer.ClearPeerConnections();
        _transport = new PeerTransport(_identity, _key.ComputeRepositoryId(), _trust, _options.Transport, Context.Logger);
        Reload();
        if (_options.ListenEndPoint is { } endpoint)
        {
            var self = Context.Self;
            _listener = _transport.Listen(endpoint, connection =>
            {
                Track(connection);
                if (!self.TryTell(new InboundConnection(connection)))
                {
                    _ = connection.CloseAsync(CloseReason.ShuttingDown, "the node is stopping");
                }
            });
            Context.Logger.LogInformation("device {Device} listening for peers on {EndPoint}", Self, _listener.LocalEndPoint);
        }

        _tick = Context.ScheduleTellOnce(_options.RefreshInterval, new PeersTick());
        _started?.Invoke();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask PostStopAsync(CancellationToken cancellationToken)
    {
        _tick?.Cancel();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var peer in _peers.Values)
        {
            peer.DialTimer?.Cancel();
        }

        foreach (var endpoint in _endpoints.Values)
        {
            endpoint.DialTimer?.Cancel();
        }

        // Every connection this actor ever got, handed over or not: none may outlive it.
        var closing = _live.Keys.Select(c => c.CloseAsync(CloseReason.ShuttingDown, "the node is stopping")).ToList();
        await Task.WhenAll(closing).ConfigureAwait(false);
        RecordSessions(ended: true);

        // The end of each session is not handled by this instance any more (a restarted one knows none of them):
        // subscribers hear of it now, so that none keeps using a closed session.
        foreach (var peer in _peers.Values)
        {
            if (peer.Connection is { } connection)
            {
                peer.Connection = null;
                Publish(new PeerDisconnected(peer.Device, connection, new PeerCloseInfo(PeerCloseOrigin.Local, CloseReason.ShuttingDown, "the peers actor stopped")));
            }
        }

        _writer?.Dispose();
        _writer = null;
        if (_clusterKey is not null)
        {
            CryptographicOperations.ZeroMemory(_clusterKey);
        }
    }

    /// <inheritdoc />
    protected override ValueTask HandleAsync(IPeersCommand message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case SubscribePeerEvents subscribe:
                _subscribers.Add(subscribe.Subscriber);
                foreach (var peer in _peers.Values)
                {
                    if (peer.Connection is { } connection)
                    {
                        subscribe.Subscriber.Reply(new PeerConnected(peer.Device, connection));
                    }
                }

                break;
            case UnsubscribePeerEvents unsubscribe:
                _subscribers.RemoveAll(s => ReferenceEquals(s, unsubscribe.Subscriber));
                break;
            case GetPeerSession get:
                get.ReplyTo.Reply(_peers.GetValueOrDefault(get.Device)?.Connection);
                break;
            case GetConnectedPeers list:
                list.ReplyTo.Reply([.. _peers.Values.Where(p => p.Connection is not null).Select(p => (IPeerSession)p.Connection!)]);
                break;
            case GetPeersStatus status:
                status.ReplyTo.Reply(BuildStatus());
                break;
            case PeerAddressesFound found:
                OnAddressesFound(found);
                break;
            case ReloadPeers reload:
                var count = Reload();
                reload.ReplyTo?.Reply(new PeersReloaded(count, _clusterKey is not null));
                break;
            case InboundConnection inbound:
                OnConnection(inbound.Connection);
                break;
            case DialEnded ended:
                OnDialEnded(ended);
                break;
            case DialDue due:
                OnDialDue(due.Device);
                break;
            case ConnectionEnded ended:
                OnConnectionEnded(ended.Connection, ended.Close);
                break;
            case PeerEndpointsFound endpoints:
                OnEndpointsFound(endpoints);
                break;
            case EndpointDialEnded ended:
                OnEndpointDialEnded(ended);
                break;
            case EndpointDialDue due:
                OnEndpointDialDue(due.Endpoint);
                break;
            case PeersTick:
                _tick = Context.ScheduleTellOnce(_options.RefreshInterval, new PeersTick());
                RecordSessions(ended: false);
                Reload();
                break;
            default:
                throw new ArgumentException($"unexpected message {message.GetType().Name}", nameof(message));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask OnTerminatedAsync(Terminated signal, CancellationToken cancellationToken)
    {
        var name = signal.Actor.Path[(signal.Actor.Path.LastIndexOf('/') + 1)..];
        if (_childNames.Remove(name, out var device) && _peers.TryGetValue(device, out var peer))
        {
            if (ReferenceEquals(peer.Child, signal.Actor))
            {
                peer.Child = null;
            }

            if (peer.Parked is { } parked)
            {
                peer.Parked = null;
                OnConnection(parked);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Track(PeerConnection connection)
    {
        if (!_live.TryAdd(connection, 0))
        {
            return;
        }

        _ = connection.Completion.ContinueWith(_ => _live.TryRemove(connection, out byte _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // The table, the cluster key and what they imply: new dials, and connections to devices no longer trusted closed.
    private int Reload()
    {
        IReadOnlyList<PeerRecord> records;
        using (var reader = _catalog.CreateReader())
        {
            records = reader.ListPeers();
        }

        byte[]? clusterKey;
        try
        {
            clusterKey = ClusterSecret.DeriveClusterKey(_key, _catalog);
        }
        catch (CryptographicException e)
        {
            Context.Logger.LogError("the stored cluster secret cannot be used ({Message}); nodes are accepted by pairing only", e.Message);
            clusterKey = null;
        }

        if (!SameKey(clusterKey, _clusterKey))
        {
            if (_clusterKey is not null)
            {
                CryptographicOperations.ZeroMemory(_clusterKey);
            }

            _clusterKey = clusterKey;
            _trust.ClusterKey = clusterKey ?? ReadOnlyMemory<byte>.Empty;
            Context.Logger.LogInformation(clusterKey is null ? "no cluster secret: peers are accepted by pairing only" : "cluster secret set: nodes that prove it are accepted");
        }
        else if (clusterKey is not null)
        {
            CryptographicOperations.ZeroMemory(clusterKey);
        }

        var inTable = new HashSet<DeviceId>();
        foreach (var record in records)
        {
            inTable.Add(record.Device);
            var peer = Entry(record.Device);
            peer.Record = record;
            peer.Static = Parse(record.Addresses);
            peer.Remembered = Parse(record.LearnedAddresses);
        }

        foreach (var peer in _peers.Values)
        {
            if (!inTable.Contains(peer.Device))
            {
                peer.Record = null;
                peer.Static = [];
                peer.Remembered = [];
            }

            if (peer.Connection is { } connection && !StillTrusted(peer, connection))
            {
                Context.Logger.LogInformation("peer {Peer}: no longer trusted; closing its connection", peer.Device.ShortId);
                _ = connection.CloseAsync(CloseReason.UntrustedDevice, "this node no longer trusts the device");
            }

            EnsureDialing(peer);
        }

        foreach (var endpoint in _endpoints.Values)
        {
            EnsureDialing(endpoint);
        }

        return records.Count;
    }

    private static IReadOnlyList<EndPoint> Parse(IReadOnlyList<string> addresses) =>
        [.. addresses.Select(a => PeerAddress.TryParse(a, out var endpoint, out _) ? endpoint : null).OfType<EndPoint>()];

    private bool StillTrusted(PeerEntry peer, PeerConnection connection) =>
        peer.Record is { Trust: PeerTrust.Paired } || (connection.Trust == PeerTrust.Cluster && _clusterKey is not null);

    private static bool SameKey(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && CryptographicOperations.FixedTimeEquals(a, b);

    private void OnAddressesFound(PeerAddressesFound found)
    {
        ArgumentNullException.ThrowIfNull(found.Addresses);
        if (found.Device == Self)
        {
            return;
        }

        var peer = Entry(found.Device);
        peer.Discovered = [.. found.Addresses];
        EnsureDialing(peer);
    }

    private PeerEntry Entry(DeviceId device)
    {
        if (!_peers.TryGetValue(device, out var peer))
        {
            peer = new PeerEntry(device);
            _peers[device] = peer;
        }

        return peer;
    }

    // Dials when the device is trusted, has addresses, is not connected, and no dial runs or waits for its time.
    private void EnsureDialing(PeerEntry peer)
    {
        if (peer.Connection is not null || peer.Dialing || peer.DialTimer is { IsPending: true } || !IsDialable(peer))
        {
            return;
        }

        StartDial(peer);
    }

    private bool IsDialable(PeerEntry peer) =>
        (peer.Static.Count > 0 || peer.Discovered.Count > 0 || peer.Remembered.Count > 0)
        && (peer.Record is { Trust: PeerTrust.Paired } || _clusterKey is not null);

    private void StartDial(PeerEntry peer)
    {
        var transport = _transport!;
        // Given addresses first, then what discovery says now, then where earlier dials succeeded (possibly stale).
        var addresses = peer.Static.Concat(peer.Discovered).Concat(peer.Remembered).Distinct().ToList();
        var device = peer.Device;
        var self = Context.Self;
        var token = _stopping.Token;
        peer.Dialing = true;
        _ = Task.Run(async () =>
        {
            var errors = new List<string>();
            foreach (var address in addresses)
            {
                try
                {
                    var connection = await transport.DialAsync(address, device, token).ConfigureAwait(false);
                    Track(connection);
                    self.Tell(new DialEnded(device, connection, address, null));
                    return;
                }
                catch (PeerHandshakeException e)
                {
                    errors.Add(e.Message);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    errors.Add($"{PeerAddress.Format(address)}: {e.Message}");
                }
            }

            self.Tell(new DialEnded(device, null, null, string.Join("; ", errors)));
        }, CancellationToken.None);
    }

    // Endpoints without a device id: each is dialled on its own, with its own backoff, and the handshake says who is
    // there. The transport keeps the connection only for a trusted device; this node itself is recognised and left alone.
    private void OnEndpointsFound(PeerEndpointsFound found)
    {
        ArgumentNullException.ThrowIfNull(found.Source);
        ArgumentNullException.ThrowIfNull(found.Endpoints);
        _endpointSources[found.Source] = [.. found.Endpoints.Distinct()];
        var wanted = _endpointSources.Values.SelectMany(e => e).ToHashSet();
        foreach (var gone in _endpoints.Values.Where(e => !wanted.Contains(e.Endpoint)).ToList())
        {
            gone.DialTimer?.Cancel();
            _endpoints.Remove(gone.Endpoint);
            if (gone.Device is { } device && _peers.TryGetValue(device, out var peer))
            {
                peer.Learned.Remove(gone.Endpoint);
            }
        }

        foreach (var endpoint in wanted)
        {
            if (!_endpoints.TryGetValue(endpoint, out var entry))
            {
                _endpoints[endpoint] = entry = new EndpointEntry(endpoint);
            }

            EnsureDialing(entry);
        }
    }

    // Without a cluster key or a paired device, every handshake would be refused here: nothing is worth dialling.
    private bool CanDialUnknown() => _clusterKey is not null || _peers.Values.Any(p => p.Record is { Trust: PeerTrust.Paired });

    private bool IsConnected(DeviceId? device) => device is { } id && _peers.GetValueOrDefault(id)?.Connection is not null;

    private void EnsureDialing(EndpointEntry entry)
    {
        if (entry.IsSelf || entry.Dialing || entry.DialTimer is { IsPending: true } || IsConnected(entry.Device) || !CanDialUnknown())
        {
            return;
        }

        var transport = _transport!;
        var endpoint = entry.Endpoint;
        var self = Context.Self;
        var token = _stopping.Token;
        entry.Dialing = true;
        _ = Task.Run(async () =>
        {
            try
            {
                var connection = await transport.DialAsync(endpoint, null, token).ConfigureAwait(false);
                Track(connection);
                self.Tell(new EndpointDialEnded(endpoint, connection, null, null));
            }
            catch (PeerHandshakeException e)
            {
                self.Tell(new EndpointDialEnded(endpoint, null, e.Remote, e.Message));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Stopping.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                self.Tell(new EndpointDialEnded(endpoint, null, null, $"{PeerAddress.Format(endpoint)}: {e.Message}"));
            }
        }, CancellationToken.None);
    }

    private void OnEndpointDialEnded(EndpointDialEnded ended)
    {
        var entry = _endpoints.GetValueOrDefault(ended.Endpoint);
        if (ended.Connection is { } connection)
        {
            if (entry is not null)
            {
                entry.Dialing = false;
                entry.LastError = null;
                if (entry.Device != connection.Remote)
                {
                    Context.Logger.LogInformation("peer address {EndPoint} is device {Peer}", PeerAddress.Format(entry.Endpoint), connection.Remote.ShortId);
                }

                entry.Device = connection.Remote;
                Entry(connection.Remote).Learned.Add(entry.Endpoint);
            }

            // A device dialled blind is kept only when trusted: the transport has refused any other in the handshake.
            OnConnection(connection);
            Remember(Entry(connection.Remote), ended.Endpoint);
            return;
        }

        if (entry is null)
        {
            return;
        }

        entry.Dialing = false;
        entry.LastError = ended.Error;
        if (ended.Remote == Self)
        {
            entry.IsSelf = true;
            entry.Device = Self;
            Context.Logger.LogInformation("peer address {EndPoint} is this node itself; it is not dialled again", PeerAddress.Format(entry.Endpoint));
            return;
        }

        entry.Device = ended.Remote ?? entry.Device;
        entry.Failures++;
        Context.Logger.LogDebug("peer address {EndPoint}: dial {Failures} failed: {Error}", PeerAddress.Format(entry.Endpoint), entry.Failures, ended.Error);
        ScheduleDial(entry);
    }

    private void ScheduleDial(EndpointEntry entry)
    {
        if (entry.IsSelf || IsConnected(entry.Device) || !CanDialUnknown())
        {
            return;
        }

        entry.DialTimer = Redial(entry.DialTimer, entry.Failures, new EndpointDialDue(entry.Endpoint));
    }

    private void OnEndpointDialDue(IPEndPoint endpoint)
    {
        if (_endpoints.TryGetValue(endpoint, out var entry))
        {
            entry.DialTimer = null;
            EnsureDialing(entry);
        }
    }

    private void OnDialEnded(DialEnded ended)
    {
        var peer = Entry(ended.Device);
        peer.Dialing = false;
        if (ended.Connection is { } connection)
        {
            peer.LastError = null;
            OnConnection(connection);
            if (ended.Address is { } address)
            {
                Remember(peer, address);
            }

            return;
        }

        peer.LastError = ended.Error;
        peer.Failures++;
        Context.Logger.LogDebug("peer {Peer}: dial {Failures} failed: {Error}", peer.Device.ShortId, peer.Failures, ended.Error);
        ScheduleDial(peer);
    }

    // An address an outbound dial reached the device at, kept for dialling after a restart. After OnConnection: that is
    // where a device admitted by the cluster secret enters the table, and only devices in the table are remembered.
    // Accepted connections never come here: their source port is ephemeral.
    private void Remember(PeerEntry peer, EndPoint address)
    {
        if (peer.Static.Contains(address))
        {
            return;
        }

        try
        {
            if (!_writer!.RememberPeerAddress(peer.Device, PeerAddress.Format(address), out var learned))
            {
                return;
            }

            peer.Remembered = Parse(learned);
            Context.Logger.LogDebug("peer {Peer}: remembered address {Address}", peer.Device.ShortId, PeerAddress.Format(address));
        }
        catch (CatalogException e)
        {
            // Best effort like the traffic figures: the connection stands; only a restart may not find this address.
            Context.Logger.LogWarning("peer {Peer}: could not remember address {Address}: {Message}", peer.Device.ShortId, PeerAddress.Format(address), e.Message);
        }
    }

    private void ScheduleDial(PeerEntry peer)
    {
        if (peer.Connection is not null || !IsDialable(peer))
        {
            return;
        }

        peer.DialTimer = Redial(peer.DialTimer, peer.Failures, new DialDue(peer.Device));
    }

    // Replaces a pending redial with one after the backoff (with jitter) that `failures` calls for.
    private ScheduledTell Redial(ScheduledTell? pending, int failures, IPeersCommand due)
    {
        pending?.Cancel();
        return Context.ScheduleTellOnce(_options.ReconnectDelay(Math.Max(1, failures), Random.Shared.NextDouble()), due);
    }

    private void OnDialDue(DeviceId device)
    {
        if (_peers.TryGetValue(device, out var peer))
        {
            peer.DialTimer = null;
            EnsureDialing(peer);
        }
    }

    // A connection that completed its handshake (dialled or accepted): kept, or closed as a duplicate.
    private void OnConnection(PeerConnection connection)
    {
        Track(connection);
        var peer = Entry(connection.Remote);
        if (peer.Connection is { } existing)
        {
            if (IsCanonical(connection) && !IsCanonical(existing))
            {
                Replace(peer, existing, connection);
            }
            else
            {
                _ = connection.CloseAsync(CloseReason.DuplicateConnection, "already connected");
            }

            return;
        }

        if (peer.Child is not null)
        {
            // The actor of the previous connection is still stopping; this one waits for its name.
            if (peer.Parked is { } older)
            {
                _ = older.CloseAsync(CloseReason.DuplicateConnection, "already connected");
            }

            peer.Parked = connection;
            return;
        }

        connection.Start(_router);
        var self = Context.Self;
        _ = connection.Completion.ContinueWith(t => self.Tell(new ConnectionEnded(connection, t.Result)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        peer.Connection = connection;
        peer.ReportedIn = 0;
        peer.ReportedOut = 0;
        peer.DialTimer?.Cancel();
        peer.DialTimer = null;
        peer.Child = Context.Spawn<IPeerCommand>(ChildName(peer.Device), () => new PeerActor(connection), MailboxOptions.Unbounded);
        Context.Watch(peer.Child);
        Record(peer, connection);
        Context.Logger.LogInformation("peer {Peer} ({Name}) connected as {Role} from {EndPoint}, trusted by {Trust}",
            peer.Device.ShortId, connection.RemoteName, connection.Role, connection.RemoteEndPoint, connection.Trust);
        Publish(new PeerConnected(peer.Device, connection));
    }

    private void Replace(PeerEntry peer, PeerConnection existing, PeerConnection connection)
    {
        connection.Start(_router);
        var self = Context.Self;
        _ = connection.Completion.ContinueWith(t => self.Tell(new ConnectionEnded(connection, t.Result)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        RecordSessions(ended: false);
        peer.Connection = connection;
        peer.ReportedIn = 0;
        peer.ReportedOut = 0;
        peer.Child!.Tell(new SessionReplaced(connection));
        var replaced = new PeerCloseInfo(PeerCloseOrigin.Local, CloseReason.DuplicateConnection, "replaced by the connection dialled by the lower device id");
        _ = existing.CloseAsync(replaced.Reason, replaced.Detail);
        Record(peer, connection);
        Publish(new PeerDisconnected(peer.Device, existing, replaced));
        Publish(new PeerConnected(peer.Device, connection));
    }

    // Of two connections between the same devices, both keep the one the lower device id dialled.
    private bool IsCanonical(PeerConnection connection) =>
        (connection.Role == PeerRole.Dialler) == (Self < connection.Remote);

    private string ChildName(DeviceId device)
    {
        var name = device.ShortId;
        if (_childNames.TryGetValue(name, out var owner) && owner != device)
        {
            // Two devices whose ids start alike: the later one goes by its whole id.
            name = device.ToString();
        }

        _childNames[name] = device;
        return name;
    }

    private void OnConnectionEnded(PeerConnection connection, PeerCloseInfo close)
    {
        if (!_peers.TryGetValue(connection.Remote, out var peer))
        {
            return;
        }

        if (ReferenceEquals(peer.Parked, connection))
        {
            peer.Parked = null;
            return;
        }

        if (!ReferenceEquals(peer.Connection, connection))
        {
            // A duplicate that lost, or a connection already replaced: nothing depends on it.
            return;
        }

        peer.Connection = null;
        RecordEnd(peer, connection);
        if (peer.Child is { } child)
        {
            Context.Stop(child);
        }

        var lasted = Context.TimeProvider.GetUtcNow() - connection.ConnectedAt;
        peer.Failures = lasted >= _options.StableAfter ? 1 : peer.Failures + 1;
        Context.Logger.LogInformation("peer {Peer} disconnected after {Seconds:0.#} s: {Close}", peer.Device.ShortId, lasted.TotalSeconds, close);
        Publish(new PeerDisconnected(peer.Device, connection, close));
        ScheduleDial(peer);
        foreach (var endpoint in _endpoints.Values.Where(e => e.Device == peer.Device))
        {
            endpoint.Failures = lasted >= _options.StableAfter ? 1 : endpoint.Failures + 1;
            ScheduleDial(endpoint);
        }
    }

    private void Publish(PeerEvent peerEvent)
    {
        _events?.Reply(peerEvent);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Reply(peerEvent);
        }
    }

    // A new session: a cluster peer enters the table, and the row says connected since now.
    private void Record(PeerEntry peer, PeerConnection connection)
    {
        var writer = _writer!;
        try
        {
            if (connection.Trust == PeerTrust.Cluster && writer.RecordClusterPeer(peer.Device, connection.RemoteName))
            {
                Context.Logger.LogInformation("peer {Peer} ({Name}) proved the cluster secret: added to the peers table", peer.Device.ShortId, connection.RemoteName);
            }

            writer.RecordPeerSessions([new PeerSessionRecord(peer.Device, connection.ConnectedAt, 0, 0, connection.ConnectedAt)]);
            using var reader = _catalog.CreateReader();
            peer.Record = reader.GetPeer(peer.Device);
        }
        catch (CatalogException e)
        {
            // Figures are best effort: a busy or full catalogue must not cost the connection.
            Context.Logger.LogWarning("peer {Peer}: could not record the connection: {Message}", peer.Device.ShortId, e.Message);
        }
    }

    private void RecordEnd(PeerEntry peer, PeerConnection connection)
    {
        try
        {
            _writer!.RecordPeerSessions([new PeerSessionRecord(peer.Device, Context.TimeProvider.GetUtcNow(),
                Math.Max(0, connection.BytesReceived - peer.ReportedIn), Math.Max(0, connection.BytesSent - peer.ReportedOut), null)]);
            peer.ReportedIn = connection.BytesReceived;
            peer.ReportedOut = connection.BytesSent;
        }
        catch (CatalogException e)
        {
            Context.Logger.LogWarning("peer {Peer}: could not record the end of the connection: {Message}", peer.Device.ShortId, e.Message);
        }
    }

    // Writes what each live connection exchanged since the last write (ended: the node stops, nothing stays connected).
    private void RecordSessions(bool ended)
    {
        if (_writer is null)
        {
            return;
        }

        var now = Context.TimeProvider.GetUtcNow();
        var sessions = new List<PeerSessionRecord>();
        foreach (var peer in _peers.Values)
        {
            if (peer.Connection is not { } connection)
            {
                continue;
            }

            var bytesIn = connection.BytesReceived;
            var bytesOut = connection.BytesSent;
            sessions.Add(new PeerSessionRecord(peer.Device, now, Math.Max(0, bytesIn - peer.ReportedIn), Math.Max(0, bytesOut - peer.ReportedOut),
                ended ? null : connection.ConnectedAt));
            peer.ReportedIn = bytesIn;
            peer.ReportedOut = bytesOut;
        }

        try
        {
            _writer.RecordPeerSessions(sessions);
        }
        catch (CatalogException e)
        {
            Context.Logger.LogWarning("could not record peer traffic: {Message}", e.Message);
        }
    }

    private PeersStatus BuildStatus()
    {
        var now = Context.TimeProvider.GetUtcNow();
        var peers = _peers.Values
            .Where(p => p.Record is not null || p.Connection is not null || p.Discovered.Count > 0 || p.Learned.Count > 0)
            .OrderBy(p => p.Record?.AddedAt ?? DateTimeOffset.MaxValue)
            .ThenBy(p => p.Device)
            .Select(p =>
            {
                var connection = p.Connection;
                var state = connection is not null ? PeerState.Connected : p.Dialing ? PeerState.Connecting : PeerState.Disconnected;
                var name = p.Record is { Name.Length: > 0 } record ? record.Name : connection?.RemoteName ?? string.Empty;
                return new PeerStatus(
                    p.Device,
                    name,
                    state,
                    connection?.Trust ?? p.Record?.Trust,
                    [.. p.Static.Concat(p.Discovered).Concat(p.Learned).Concat(p.Remembered).Select(PeerAddress.Format).Distinct(StringComparer.Ordinal)],
                    connection?.RemoteEndPoint,
                    connection?.ConnectedAt,
                    connection is not null ? now : p.Record?.LastSeen,
                    (p.Record?.BytesIn ?? 0) + (connection is null ? 0 : Math.Max(0, connection.BytesReceived - p.ReportedIn)),
                    (p.Record?.BytesOut ?? 0) + (connection is null ? 0 : Math.Max(0, connection.BytesSent - p.ReportedOut)),
                    p.LastError);
            })
            .ToList();
        var endpoints = _endpoints.Values
            .OrderBy(e => PeerAddress.Format(e.Endpoint), StringComparer.Ordinal)
            .Select(e => new PeerEndpointStatus(e.Endpoint, e.Device, e.IsSelf,
                e.Dialing || (e.Device is { } device && _peers.GetValueOrDefault(device)?.Connection is not null), e.Failures, e.LastError))
            .ToList();
        return new PeersStatus(Self, _listener?.LocalEndPoint, peers) { Endpoints = endpoints };
    }

    private sealed class PeerEntry(DeviceId device)
    {
        public DeviceId Device { get; } = device;

        public PeerRecord? Record { get; set; }

        public IReadOnlyList<EndPoint> Static { get; set; } = [];

        public IReadOnlyList<EndPoint> Discovered { get; set; } = [];

        // Where earlier outbound dials succeeded (the table's learned_addresses), most recent first.
        public IReadOnlyList<EndPoint> Remembered { get; set; } = [];

        public PeerConnection? Connection { get; set; }

        public PeerConnection? Parked { get; set; }

        public IActorRef<IPeerCommand>? Child { get; set; }

        public long ReportedIn { get; set; }

        public long ReportedOut { get; set; }

        public bool Dialing { get; set; }

        public int Failures { get; set; }

        public ScheduledTell? DialTimer { get; set; }

        public string? LastError { get; set; }

        // Endpoints known without an id that turned out to be this device (shown, not dialled for it).
        public HashSet<IPEndPoint> Learned { get; } = [];
    }

    private sealed class EndpointEntry(IPEndPoint endpoint)
    {
        public IPEndPoint Endpoint { get; } = endpoint;

        // Who answered there last (trusted or not); null until a handshake got that far.
        public DeviceId? Device { get; set; }

        public bool IsSelf { get; set; }

        public bool Dialing { get; set; }

        public int Failures { get; set; }

        public ScheduledTell? DialTimer { get; set; }

        public string? LastError { get; set; }
    }
}
